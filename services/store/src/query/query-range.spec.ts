import fc from 'fast-check';

import { QueryArgumentError } from './query-error.js';
import { checkRange, coverRange, runsCovering, runsFor, windowCount, windowRun, windowStarts } from './query-range.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const SIZE = { '1m': MINUTE, '1h': HOUR, '1d': DAY } as const;
const at = (iso: string) => Date.parse(iso);

function argumentError(run: () => unknown): QueryArgumentError {
  try {
    run();
  } catch (error) {
    if (error instanceof QueryArgumentError) return error;
    throw error;
  }
  throw new Error('expected a QueryArgumentError');
}

describe('checkRange', () => {
  it('names the missing field', () => {
    expect(argumentError(() => checkRange(undefined, 5)).field).toBe('from');
    expect(argumentError(() => checkRange(5, undefined)).field).toBe('to');
  });

  it('refuses an empty or inverted range on `to`, quoting both ends', () => {
    const error = argumentError(() => checkRange(at('2026-11-24T10:00:00Z'), at('2026-11-24T10:00:00Z')));
    expect(error.field).toBe('to');
    expect(error.reason).toContain('must be after from');
    expect(error.reason).toContain('2026-11-24T10:00:00.000Z');
    expect(argumentError(() => checkRange(10, 9)).field).toBe('to');
  });

  it('refuses times before 1970 and after the year 9999', () => {
    expect(argumentError(() => checkRange(-1, 10)).field).toBe('from');
    expect(argumentError(() => checkRange(0, Date.UTC(10_000, 0, 2))).field).toBe('to');
    expect(checkRange(0, Date.UTC(10_000, 0, 1))).toEqual({ from: 0, to: Date.UTC(10_000, 0, 1) });
  });
});

describe('windowRun', () => {
  it('selects every window that overlaps [from, to): starts before to, ends after from', () => {
    const run = windowRun('1h', { from: at('2026-11-24T10:30:00Z'), to: at('2026-11-24T12:00:01Z') });
    expect(run).toEqual({ granularity: '1h', from: at('2026-11-24T10:00:00Z'), to: at('2026-11-24T13:00:00Z') });
    expect(windowStarts(run)).toEqual([10, 11, 12].map((h) => at(`2026-11-24T${h}:00:00Z`)));
    expect(windowCount([run])).toBe(3);
  });

  it('keeps aligned ranges as they are', () => {
    const from = at('2026-11-24T00:00:00Z');
    expect(windowRun('1d', { from, to: from + 2 * DAY })).toEqual({ granularity: '1d', from, to: from + 2 * DAY });
  });
});

describe('coverRange (auto granularity)', () => {
  it('covers 10:23 → 10:23 the next day with minutes at the edges and hours between', () => {
    const from = at('2026-11-24T10:23:00Z');
    expect(coverRange({ from, to: from + DAY })).toEqual([
      { granularity: '1m', from, to: at('2026-11-24T11:00:00Z') },
      { granularity: '1h', from: at('2026-11-24T11:00:00Z'), to: at('2026-11-25T10:00:00Z') },
      { granularity: '1m', from: at('2026-11-25T10:00:00Z'), to: at('2026-11-25T10:23:00Z') },
    ]);
  });

  it('uses whole days where they fit', () => {
    const runs = coverRange({ from: at('2026-11-23T22:00:00Z'), to: at('2026-11-26T01:30:00Z') });
    expect(runs.map((run) => [run.granularity, (run.to - run.from) / SIZE[run.granularity]])).toEqual([
      ['1h', 2],
      ['1d', 2],
      ['1h', 1],
      ['1m', 30],
    ]);
  });

  it('widens the range to whole minutes', () => {
    const from = at('2026-11-24T10:00:30Z');
    expect(coverRange({ from, to: from + 1_000 })).toEqual([
      { granularity: '1m', from: at('2026-11-24T10:00:00Z'), to: at('2026-11-24T10:01:00Z') },
    ]);
  });

  it('always tiles the widened range exactly with aligned windows, never a smaller window where a larger one fits', () => {
    const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) });
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 20 * DAY }), (from, length) => {
        const runs = coverRange({ from, to: from + length });
        const windows = runs.flatMap((run) =>
          windowStarts(run).map((start) => ({ start, size: SIZE[run.granularity] })),
        );
        expect(windows[0]?.start).toBe(Math.floor(from / MINUTE) * MINUTE);
        const end = Math.ceil((from + length) / MINUTE) * MINUTE;
        let cursor = windows[0]?.start ?? 0;
        for (const window of windows) {
          expect(window.start).toBe(cursor);
          expect(window.start % window.size).toBe(0);
          // Greedy: no larger aligned window starting here would have fitted.
          for (const larger of [HOUR, DAY].filter((size) => size > window.size)) {
            expect(window.start % larger !== 0 || window.start + larger > end).toBe(true);
          }
          cursor += window.size;
        }
        expect(cursor).toBe(end);
      }),
    );
  });
});

describe('runsFor', () => {
  it('reads one run at an explicit granularity and the cover for auto', () => {
    const range = { from: at('2026-11-24T10:23:00Z'), to: at('2026-11-24T10:25:00Z') };
    expect(runsFor('1h', range)).toEqual([windowRun('1h', range)]);
    expect(runsFor('auto', range)).toEqual(coverRange(range));
  });
});

describe('runsCovering', () => {
  const M = 60_000;

  it('joins windows across short gaps and keeps long gaps apart', () => {
    expect(runsCovering([0, M, 3 * M, 40 * M, 41 * M], '1m', 2, 8)).toEqual([
      { granularity: '1m', from: 0, to: 4 * M },
      { granularity: '1m', from: 40 * M, to: 42 * M },
    ]);
  });

  it('reads one range from the first to the last window when there would be too many', () => {
    expect(runsCovering([0, 10 * M, 20 * M, 30 * M], '1m', 0, 3)).toEqual([{ granularity: '1m', from: 0, to: 31 * M }]);
  });

  it('reads nothing for no windows', () => {
    expect(runsCovering([], '1h', 4, 4)).toEqual([]);
  });

  it('covers every window, ascending and disjoint, in at most maxRuns ranges', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 2_000 }), { maxLength: 300 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 10 }),
        (indexes, maxGap, maxRuns) => {
          const starts = [...indexes].sort((a, b) => a - b).map((i) => i * M);
          const runs = runsCovering(starts, '1m', maxGap, maxRuns);
          expect(runs.length).toBeLessThanOrEqual(maxRuns);
          for (const start of starts) expect(runs.some((run) => run.from <= start && start < run.to)).toBe(true);
          runs.forEach((run, i) => {
            expect(run.from % M).toBe(0);
            expect(run.to).toBeGreaterThan(run.from);
            if (i > 0) expect(run.from).toBeGreaterThan(runs[i - 1]!.to);
          });
        },
      ),
    );
  });
});
