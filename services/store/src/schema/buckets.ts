import { type Granularity } from '@pulse/contracts';

const DAY = 86_400_000;

/**
 * Time-bucket of a window inside the Cassandra partition key: one day for minute windows, 32 days
 * for hours and 366 days for days, so no partition grows without bound.
 */
export const BUCKET_MS: Record<Granularity, number> = { '1m': DAY, '1h': 32 * DAY, '1d': 366 * DAY };

export function bucketOf(windowStart: number, granularity: Granularity): number {
  return Math.floor(windowStart / BUCKET_MS[granularity]);
}

/** Every bucket that [from, to) touches, ascending. */
export function bucketsBetween(from: number, to: number, granularity: Granularity): number[] {
  if (to <= from) return [];
  const first = bucketOf(from, granularity);
  const last = bucketOf(to - 1, granularity);
  const buckets: number[] = [];
  for (let bucket = first; bucket <= last; bucket += 1) buckets.push(bucket);
  return buckets;
}

/** TTL in seconds per granularity. */
export function ttlSeconds(granularity: Granularity, minuteTtlDays: number): number {
  const days = granularity === '1m' ? minuteTtlDays : granularity === '1h' ? 400 : 5 * 366;
  return days * 86_400;
}
