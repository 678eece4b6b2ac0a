import { GRANULARITIES, windowStart, type Granularity } from '@pulse/contracts';

import { QueryArgumentError } from './query-error.js';

/** [from, to) in epoch ms UTC. */
export interface TimeRange {
  from: number;
  to: number;
}

/** Consecutive windows of one size: [from, to), both aligned to the size. */
export interface WindowRun {
  granularity: Granularity;
  from: number;
  to: number;
}

/** A window size, or `auto`: the fewest windows that cover the range (`coverRange`). */
export type QueryGranularity = Granularity | 'auto';

/** 10000-01-01T00:00:00Z: later instants have no ISO-8601 form without an expanded year. */
const END_OF_TIME = Date.UTC(10_000, 0, 1);

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Validates a request's [from, to): both given, in 1970..9999, from before to. */
export function checkRange(from: number | undefined, to: number | undefined): TimeRange {
  if (from === undefined) throw new QueryArgumentError('from', 'is required');
  if (to === undefined) throw new QueryArgumentError('to', 'is required');
  if (!Number.isFinite(from) || from < 0) {
    throw new QueryArgumentError('from', 'must be on or after 1970-01-01T00:00:00Z');
  }
  if (!Number.isFinite(to) || to > END_OF_TIME) throw new QueryArgumentError('to', 'must be before the year 10000');
  if (to <= from) {
    throw new QueryArgumentError(
      'to',
      `must be after from (the range is [from, to)): from ${iso(from)}, to ${iso(to)}`,
    );
  }
  return { from, to };
}

function ceilTo(ms: number, size: number): number {
  return Math.ceil(ms / size) * size;
}

/** The windows of one size that overlap [from, to): start before `to`, end after `from`. */
export function windowRun(granularity: Granularity, range: TimeRange): WindowRun {
  return {
    granularity,
    from: windowStart(range.from, granularity),
    to: ceilTo(range.to, GRANULARITIES[granularity]),
  };
}

export function windowCount(runs: readonly WindowRun[]): number {
  return runs.reduce((sum, run) => sum + (run.to - run.from) / GRANULARITIES[run.granularity], 0);
}

export function windowStarts(run: WindowRun): number[] {
  const size = GRANULARITIES[run.granularity];
  const starts: number[] = [];
  for (let start = run.from; start < run.to; start += size) starts.push(start);
  return starts;
}

/** The span of contiguous runs: from the first window's start to the last one's end. */
export function spanOf(runs: readonly WindowRun[]): TimeRange {
  const first = runs[0];
  const last = runs[runs.length - 1];
  if (!first || !last) throw new Error('no windows');
  return { from: first.from, to: last.to };
}

const LARGEST_FIRST: readonly Granularity[] = ['1d', '1h', '1m'];

/**
 * The fewest whole windows covering [from, to) widened to whole minutes: UTC days where whole
 * days fit, then hours, then minutes at the edges — e.g. 10:23 → 10:23 the next day is 37
 * minutes, 13 + 10 hours and 23 minutes. Exact because a day's partials hold exactly the events
 * of its hours and minutes (an event too late for its minute window counts in no granularity).
 */
export function coverRange(range: TimeRange): WindowRun[] {
  const end = ceilTo(range.to, GRANULARITIES['1m']);
  const runs: WindowRun[] = [];
  let cursor = windowStart(range.from, '1m');
  while (cursor < end) {
    for (const [index, granularity] of LARGEST_FIRST.entries()) {
      const size = GRANULARITIES[granularity];
      if (cursor % size !== 0 || cursor + size > end) continue;
      // Run up to `end`, or to the first boundary of a larger size from which a larger window fits.
      let stop = Math.floor(end / size) * size;
      for (const larger of LARGEST_FIRST.slice(0, index)) {
        const largerSize = GRANULARITIES[larger];
        const boundary = ceilTo(cursor + 1, largerSize);
        if (boundary + largerSize <= end) stop = Math.min(stop, boundary);
      }
      runs.push({ granularity, from: cursor, to: stop });
      cursor = stop;
      break;
    }
  }
  return runs;
}

/** The runs a range query reads at a granularity: one run, or the cover for `auto`. */
export function runsFor(granularity: QueryGranularity, range: TimeRange): WindowRun[] {
  return granularity === 'auto' ? coverRange(range) : [windowRun(granularity, range)];
}

/**
 * The ranges to read for the given window starts (ascending, of one granularity): contiguous runs,
 * joined across gaps of at most `maxGap` windows (one clustering range is cheaper than two
 * nearby), and all joined into one range when more than `maxRuns` would remain — Cassandra scans
 * a range of a series partition at about the cost of the same number of scattered windows.
 */
export function runsCovering(
  starts: readonly number[],
  granularity: Granularity,
  maxGap: number,
  maxRuns: number,
): WindowRun[] {
  const size = GRANULARITIES[granularity];
  const runs: WindowRun[] = [];
  for (const start of starts) {
    const last = runs[runs.length - 1];
    if (last && start - last.to <= maxGap * size) last.to = start + size;
    else runs.push({ granularity, from: start, to: start + size });
  }
  const first = runs[0];
  const final = runs[runs.length - 1];
  if (runs.length > maxRuns && first && final) return [{ granularity, from: first.from, to: final.to }];
  return runs;
}
