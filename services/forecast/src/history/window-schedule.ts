import { GRANULARITIES, type Granularity } from '@pulse/contracts';

/**
 * When the aggregator has finished a window: its watermark (max event time − out-of-orderness)
 * must pass the window's end plus the allowed lateness. On the wall clock that is no earlier than
 * end + allowed lateness + out-of-orderness, so from then on the stored window is final (late
 * events go to pulse.late, not into the window).
 */
export interface ClosingRule {
  readonly allowedLatenessMs: number;
  readonly outOfOrdernessMs: number;
}

/** Wall-clock time (epoch ms) at which the window starting at `start` counts as closed. */
export function windowClosesAt(start: number, granularity: Granularity, rule: ClosingRule): number {
  return start + GRANULARITIES[granularity] + rule.allowedLatenessMs + rule.outOfOrdernessMs;
}

/** Start of the latest window that is closed at `now` (windows are aligned to the UTC epoch). */
export function latestClosedWindow(granularity: Granularity, now: number, rule: ClosingRule): number {
  const size = GRANULARITIES[granularity];
  const delay = rule.allowedLatenessMs + rule.outOfOrdernessMs;
  return Math.floor((now - delay) / size) * size - size;
}

/**
 * The closed windows from `from` (a window start) on at `now`, ascending; at most the latest
 * `limit` of them.
 */
export function closedWindowsFrom(
  granularity: Granularity,
  from: number,
  now: number,
  rule: ClosingRule,
  limit: number,
): number[] {
  const size = GRANULARITIES[granularity];
  const latest = latestClosedWindow(granularity, now, rule);
  const first = Math.max(from, latest - (limit - 1) * size);
  const windows: number[] = [];
  for (let start = first; start <= latest; start += size) windows.push(start);
  return windows;
}
