import { SeededRandom, WeightedChoice } from './seeded-random.js';

export interface Product {
  id: string;
  category: string;
  /** unit price in minor units of the shop's base currency (EUR) */
  basePriceMinor: number;
  /** 1 = the most viewed product */
  popularityRank: number;
}

export interface CatalogueOptions {
  /** number of products */
  size: number;
  /** Zipf exponent s: the product of rank r is picked with weight 1/r^s */
  zipfExponent: number;
}

export const DEFAULT_CATALOGUE: Readonly<CatalogueOptions> = Object.freeze({ size: 500, zipfExponent: 1.0 });

/** Categories with the range of their unit prices in EUR cents; drawn log-uniformly, ending in .99. */
const CATEGORIES: ReadonlyArray<readonly [string, number, number]> = [
  ['electronics', 1_999, 89_999],
  ['books', 499, 3_999],
  ['fashion', 999, 14_999],
  ['home & kitchen', 799, 19_999],
  ['toys', 599, 6_999],
  ['garden', 999, 24_999],
  ['beauty', 399, 4_999],
  ['sports', 1_499, 29_999],
];

/**
 * The shop's products. Popularity follows Zipf's law over a seeded shuffle of the catalogue, so
 * the best seller is not simply the first SKU.
 */
export class Catalogue {
  readonly products: readonly Product[];
  /** products ordered by popularity rank (index 0 = rank 1) */
  readonly byRank: readonly Product[];
  private readonly popularity: WeightedChoice<Product>;

  constructor(
    random: SeededRandom,
    readonly options: CatalogueOptions = DEFAULT_CATALOGUE,
  ) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError('catalogue size must be ≥ 1');
    if (!(options.zipfExponent >= 0)) throw new RangeError('Zipf exponent must be ≥ 0');
    const ranks = Array.from({ length: options.size }, (_, i) => i + 1);
    for (let i = ranks.length - 1; i > 0; i -= 1) {
      const j = random.int(i + 1);
      [ranks[i], ranks[j]] = [ranks[j], ranks[i]];
    }
    this.products = ranks.map((popularityRank, i) => {
      const [category, low, high] = CATEGORIES[i % CATEGORIES.length];
      const price = Math.exp(random.between(Math.log(low), Math.log(high)));
      return {
        id: `SKU-${String(i + 1).padStart(5, '0')}`,
        category,
        basePriceMinor: Math.max(99, Math.floor(price / 100) * 100 + 99),
        popularityRank,
      };
    });
    this.byRank = [...this.products].sort((x, y) => x.popularityRank - y.popularityRank);
    this.popularity = new WeightedChoice(
      this.byRank.map((p) => [p, zipfWeight(p.popularityRank, options.zipfExponent)]),
    );
  }

  pick(random: SeededRandom): Product {
    return this.popularity.sample(random);
  }
}

export function zipfWeight(rank: number, exponent: number): number {
  return 1 / rank ** exponent;
}

/** The share of picks that go to the product of `rank` under Zipf(size, exponent): 1/r^s / H(N, s). */
export function zipfShare(rank: number, size: number, exponent: number): number {
  let harmonic = 0;
  for (let r = 1; r <= size; r += 1) harmonic += zipfWeight(r, exponent);
  return zipfWeight(rank, exponent) / harmonic;
}
