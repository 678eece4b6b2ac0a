/**
 * A seeded PRNG (sfc32, 128-bit state, seeded by hashing the seed text with cyrb128), so the same
 * seed gives the same shop on every machine. `fork(label)` derives an independent stream from the
 * seed, not from the current state: the dirt, duplicate and lateness decisions draw from their own
 * streams, so turning a knob does not reshuffle the shoppers.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: string | number) {
    [this.a, this.b, this.c, this.d] = cyrb128(String(seed));
    // The first outputs of a fresh sfc32 state are poorly mixed.
    for (let i = 0; i < 15; i += 1) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  }

  /** A new stream for one concern, independent of how much this one has been used. */
  fork(label: string): SeededRandom {
    return new SeededRandom(`${String(this.seed)}/${label}`);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(items.length)];
  }

  /** Exponentially distributed with the given mean (waiting times of a Poisson process). */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** How many more times something repeats when it repeats with probability `p`, at most `max`. */
  repeats(p: number, max: number): number {
    let count = 0;
    while (count < max && this.chance(p)) count += 1;
    return count;
  }
}

/** A fixed table of weighted choices, sampled by one uniform draw and a binary search. */
export class WeightedChoice<T> {
  private readonly cumulative: number[];
  private readonly items: T[];

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    if (entries.length === 0 || entries.some(([, weight]) => !(weight >= 0))) {
      throw new RangeError('weighted choice needs at least one entry and non-negative weights');
    }
    this.items = entries.map(([item]) => item);
    let sum = 0;
    this.cumulative = entries.map(([, weight]) => (sum += weight));
    if (!(sum > 0)) throw new RangeError('weighted choice needs a positive total weight');
  }

  /** Probability of the i-th entry. */
  share(index: number): number {
    const total = this.cumulative[this.cumulative.length - 1];
    return (this.cumulative[index] - (index > 0 ? this.cumulative[index - 1] : 0)) / total;
  }

  indexOf(random: SeededRandom): number {
    const target = random.next() * this.cumulative[this.cumulative.length - 1];
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.cumulative[mid] > target) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  sample(random: SeededRandom): T {
    return this.items[this.indexOf(random)];
  }
}

function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i += 1) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}
