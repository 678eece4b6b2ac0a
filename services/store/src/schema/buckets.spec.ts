import { BUCKET_MS, bucketOf, bucketsBetween, ttlSeconds } from './buckets.js';

const day = 86_400_000;

describe('buckets', () => {
  it('puts minute windows of one UTC day in one bucket and the next midnight in the next', () => {
    const midnight = Date.UTC(2026, 10, 24);
    expect(bucketOf(midnight, '1m')).toBe(bucketOf(midnight + day - 60_000, '1m'));
    expect(bucketOf(midnight + day, '1m')).toBe(bucketOf(midnight, '1m') + 1);
  });

  it('lists the buckets a half-open range touches', () => {
    const midnight = Date.UTC(2026, 10, 24);
    expect(bucketsBetween(midnight, midnight + day, '1m')).toEqual([midnight / day]);
    expect(bucketsBetween(midnight - 1, midnight + 1, '1m')).toEqual([midnight / day - 1, midnight / day]);
    expect(bucketsBetween(midnight, midnight, '1m')).toEqual([]);
    expect(BUCKET_MS['1h']).toBe(32 * day);
  });

  it('keeps minute windows for the configured days', () => {
    expect(ttlSeconds('1m', 14)).toBe(14 * 86_400);
    expect(ttlSeconds('1d', 14)).toBeGreaterThan(ttlSeconds('1h', 14));
  });
});
