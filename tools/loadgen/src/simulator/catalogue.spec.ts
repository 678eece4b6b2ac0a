import { Catalogue, zipfShare } from './catalogue.js';
import { SeededRandom } from './seeded-random.js';

describe('Catalogue', () => {
  it('is the same catalogue for the same seed', () => {
    expect(new Catalogue(new SeededRandom(9)).products).toEqual(new Catalogue(new SeededRandom(9)).products);
  });

  it('gives every product a distinct popularity rank, a category and a .99 price', () => {
    const catalogue = new Catalogue(new SeededRandom(1), { size: 120, zipfExponent: 1 });
    expect(new Set(catalogue.products.map((p) => p.popularityRank))).toEqual(
      new Set(Array.from({ length: 120 }, (_, i) => i + 1)),
    );
    expect(new Set(catalogue.products.map((p) => p.id)).size).toBe(120);
    for (const product of catalogue.products) {
      expect(product.basePriceMinor % 100).toBe(99);
      expect(product.category).toMatch(/^[a-z &]+$/);
    }
    expect(catalogue.byRank[0].popularityRank).toBe(1);
  });

  it('does not make the first SKU the best seller by construction', () => {
    const ranksOfFirst = [1, 2, 3, 4, 5].map(
      (seed) => new Catalogue(new SeededRandom(seed)).products[0].popularityRank,
    );
    expect(new Set(ranksOfFirst).size).toBeGreaterThan(1);
  });

  it.each([
    [1.0, 500],
    [1.3, 200],
    [0.7, 1_000],
  ])('picks products with Zipf popularity (s = %s, %s products): top shares match 1/r^s / H', (s, size) => {
    const catalogue = new Catalogue(new SeededRandom(2), { size, zipfExponent: s });
    const random = new SeededRandom(3);
    const picks = 200_000;
    const counts = new Map<number, number>();
    for (let i = 0; i < picks; i += 1) {
      const rank = catalogue.pick(random).popularityRank;
      counts.set(rank, (counts.get(rank) ?? 0) + 1);
    }
    // Reference written out: H(N, s) = Σ 1/r^s.
    let harmonic = 0;
    for (let r = 1; r <= size; r += 1) harmonic += 1 / r ** s;
    for (const rank of [1, 2, 5, 10]) {
      const theory = 1 / rank ** s / harmonic;
      const observed = (counts.get(rank) ?? 0) / picks;
      const standardError = Math.sqrt((theory * (1 - theory)) / picks);
      expect(Math.abs(observed - theory)).toBeLessThan(4 * standardError);
      expect(zipfShare(rank, size, s)).toBeCloseTo(theory, 12);
    }
  });

  it('refuses an empty catalogue and a negative exponent', () => {
    expect(() => new Catalogue(new SeededRandom(1), { size: 0, zipfExponent: 1 })).toThrow(RangeError);
    expect(() => new Catalogue(new SeededRandom(1), { size: 10, zipfExponent: -1 })).toThrow(RangeError);
  });
});
