import fc from 'fast-check';

import { DistinctSketch, EXACT_LIMIT, HLL_STANDARD_ERROR } from './distinct-sketch.js';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const sketchOf = (values: string[]) => {
  const sketch = new DistinctSketch();
  for (const value of values) sketch.add(value);
  return sketch;
};

describe('DistinctSketch', () => {
  it('counts exactly up to the exact limit, ignoring repeats', () => {
    const sketch = sketchOf([...ids('u', EXACT_LIMIT), ...ids('u', 10)]);
    expect(sketch.isExact()).toBe(true);
    expect(sketch.count()).toBe(EXACT_LIMIT);
    expect(sketch.add('u-3')).toBe(false);
    expect(sketch.add('u-new')).toBe(true);
    expect(sketch.isExact()).toBe(false);
  });

  it.each([1_000, 10_000, 100_000])('estimates %i distinct values within 3 standard errors', (n) => {
    const sketch = sketchOf(ids('user', n));
    expect(Math.abs(sketch.count() - n) / n).toBeLessThan(3 * HLL_STANDARD_ERROR);
  });

  it('merges as a union: overlapping sets across partitions and windows are not double counted', () => {
    const a = sketchOf(ids('s', 3_000));
    const b = sketchOf(ids('s', 5_000).slice(2_000));
    const union = DistinctSketch.union([a, b]);
    expect(Math.abs(union.count() - 5_000) / 5_000).toBeLessThan(3 * HLL_STANDARD_ERROR);
    const small = DistinctSketch.union([sketchOf(['x', 'y']), sketchOf(['y', 'z'])]);
    expect(small.isExact()).toBe(true);
    expect(small.count()).toBe(3);
  });

  it('promotes a union of two exact sketches that outgrows the limit', () => {
    const union = DistinctSketch.union([sketchOf(ids('a', 200)), sketchOf(ids('b', 200))]);
    expect(union.isExact()).toBe(false);
    expect(Math.abs(union.count() - 400) / 400).toBeLessThan(3 * HLL_STANDARD_ERROR);
  });

  it('round-trips through its encoding, exact and dense, with a canonical byte form', () => {
    for (const values of [[], ids('p', 10), ids('p', 2_000)]) {
      const sketch = sketchOf(values);
      const decoded = DistinctSketch.fromBase64(sketch.toBase64());
      expect(decoded.count()).toBe(sketch.count());
      expect(decoded.toBase64()).toBe(sketch.toBase64());
    }
    expect(sketchOf(['a', 'b', 'c']).toBase64()).toBe(sketchOf(['c', 'a', 'b', 'a']).toBase64());
  });

  it('refuses bytes that are not a sketch', () => {
    expect(() => DistinctSketch.decode(Buffer.from([7, 1, 2]))).toThrow(/unknown sketch encoding/);
    expect(() => DistinctSketch.decode(Buffer.from([1, 1, 2]))).toThrow(/corrupt/);
  });

  it('union is commutative, idempotent and order-independent (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 300 }), fc.array(fc.string(), { maxLength: 300 }), (xs, ys) => {
        const ab = DistinctSketch.union([sketchOf(xs), sketchOf(ys)]);
        const ba = DistinctSketch.union([sketchOf(ys), sketchOf(xs)]);
        expect(ab.toBase64()).toBe(ba.toBase64());
        expect(DistinctSketch.union([ab, ab]).count()).toBe(ab.count());
        const distinct = new Set([...xs, ...ys]).size;
        if (distinct <= EXACT_LIMIT) expect(ab.count()).toBe(distinct);
      }),
      { numRuns: 60 },
    );
  });
});
