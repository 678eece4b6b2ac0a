import fc from 'fast-check';

import { SeededRandom, WeightedChoice } from './seeded-random.js';

const draws = (random: SeededRandom, n: number) => Array.from({ length: n }, () => random.next());

describe('SeededRandom', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    expect(draws(new SeededRandom(42), 100)).toEqual(draws(new SeededRandom(42), 100));
    expect(draws(new SeededRandom(42), 100)).not.toEqual(draws(new SeededRandom(43), 100));
    expect(draws(new SeededRandom('42'), 10)).toEqual(draws(new SeededRandom(42), 10));
  });

  it('forks a stream that does not depend on how much the parent was used', () => {
    const fresh = new SeededRandom(7);
    const used = new SeededRandom(7);
    draws(used, 1_000);
    expect(draws(used.fork('dirt'), 50)).toEqual(draws(fresh.fork('dirt'), 50));
    expect(draws(fresh.fork('dirt'), 50)).not.toEqual(draws(fresh.fork('late'), 50));
  });

  it('draws uniformly: each tenth of [0, 1) gets a tenth of 100,000 draws within 3%', () => {
    const random = new SeededRandom(1);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i += 1) buckets[Math.floor(random.next() * 10)] += 1;
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(300);
  });

  it('keeps int(n) in [0, n) for any seed and n', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 1_000_000 }), (seed, n) => {
        const random = new SeededRandom(seed);
        return draws(random, 20).every(() => {
          const value = random.int(n);
          return Number.isInteger(value) && value >= 0 && value < n;
        });
      }),
    );
  });

  it('has exponential waiting times with the requested mean', () => {
    const random = new SeededRandom(3);
    let sum = 0;
    for (let i = 0; i < 50_000; i += 1) sum += random.exponential(250);
    expect(sum / 50_000).toBeGreaterThan(245);
    expect(sum / 50_000).toBeLessThan(255);
  });

  it('caps repeats at the maximum', () => {
    const random = new SeededRandom(5);
    for (let i = 0; i < 1_000; i += 1) expect(random.repeats(0.99, 3)).toBeLessThanOrEqual(3);
  });
});

describe('WeightedChoice', () => {
  it('samples each entry in proportion to its weight', () => {
    const choice = new WeightedChoice([
      ['a', 1],
      ['b', 3],
      ['c', 0],
      ['d', 6],
    ] as const);
    const random = new SeededRandom(11);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0, d: 0 };
    for (let i = 0; i < 100_000; i += 1) counts[choice.sample(random)] += 1;
    expect(counts.c).toBe(0);
    expect(Math.abs(counts.a - 10_000)).toBeLessThan(400);
    expect(Math.abs(counts.b - 30_000)).toBeLessThan(600);
    expect(choice.share(3)).toBeCloseTo(0.6);
  });

  it('refuses an empty table and negative weights', () => {
    expect(() => new WeightedChoice([])).toThrow(RangeError);
    expect(() => new WeightedChoice([['a', -1]])).toThrow(RangeError);
    expect(() => new WeightedChoice([['a', 0]])).toThrow(RangeError);
  });
});
