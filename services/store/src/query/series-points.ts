import { TotalsAccumulator, type Totals, type WindowTotals } from '../partials/partial-merge.js';

/** One window of a series: its values (one per requested metric) and whether it was filled. */
export interface SeriesWindow {
  start: number;
  end: number;
  values: number[];
  closed: boolean;
  filled: boolean;
}

export type GapFill = 'absent' | 'zero';

/**
 * The points of a series in window order: the windows that have data and — with `zero` — every
 * other expected window as a filled point of zeros. `expected` lists the windows of the range in
 * ascending order; data outside it is ignored.
 */
export function fillGaps(
  expected: ReadonlyArray<{ start: number; end: number }>,
  data: ReadonlyMap<number, Omit<SeriesWindow, 'start' | 'end' | 'filled'>>,
  metricCount: number,
  gapFill: GapFill,
): SeriesWindow[] {
  const points: SeriesWindow[] = [];
  // Literal objects, not spreads of `window`: a day of minutes is 1,440 points per answer.
  for (const { start, end } of expected) {
    const found = data.get(start);
    if (found) points.push({ start, end, values: found.values, closed: found.closed, filled: false });
    else if (gapFill === 'zero') {
      points.push({ start, end, values: new Array<number>(metricCount).fill(0), closed: false, filled: true });
    }
  }
  return points;
}

/**
 * Merges smaller windows (e.g. hours) into the larger windows that contain them (e.g. local
 * days): sums added, sketches unioned, `closed` only when every part was. Both lists ascending;
 * parts outside every window are ignored.
 */
export function mergeIntoWindows(
  windows: ReadonlyArray<{ start: number; end: number }>,
  parts: readonly WindowTotals[],
): Map<number, Totals> {
  const merged = new Map<number, Totals>();
  let index = 0;
  let accumulator: TotalsAccumulator | undefined;
  const flush = () => {
    const window = windows[index];
    if (accumulator && window) merged.set(window.start, accumulator.totals());
    accumulator = undefined;
  };
  for (const part of parts) {
    while (index < windows.length && part.windowStart >= (windows[index]?.end ?? Infinity)) {
      flush();
      index += 1;
    }
    const window = windows[index];
    if (!window || part.windowStart < window.start) continue;
    accumulator ??= new TotalsAccumulator();
    accumulator.addTotals(part);
  }
  flush();
  return merged;
}

/**
 * Adds per-window values (e.g. hours) into the larger windows that contain them (e.g. local
 * days), value by value; `closed` only when every part was. Both lists ascending.
 */
export function addIntoWindows(
  windows: ReadonlyArray<{ start: number; end: number }>,
  parts: ReadonlyArray<{ start: number; values: readonly number[]; closed: boolean }>,
): Map<number, { values: number[]; closed: boolean }> {
  const merged = new Map<number, { values: number[]; closed: boolean }>();
  let index = 0;
  for (const part of parts) {
    while (index < windows.length && part.start >= (windows[index]?.end ?? Infinity)) index += 1;
    const window = windows[index];
    if (!window || part.start < window.start) continue;
    const sum = merged.get(window.start);
    if (!sum) merged.set(window.start, { values: [...part.values], closed: part.closed });
    else {
      part.values.forEach((value, i) => (sum.values[i] = (sum.values[i] ?? 0) + value));
      sum.closed &&= part.closed;
    }
  }
  return merged;
}
