import { type TimeSeries } from '@pulse/forecasting';

/** One window as the store returned it. */
export interface StoredWindow {
  /** Epoch ms of the window start. */
  readonly start: number;
  readonly value: number;
  /** Every partial in it was its partition's final emission. */
  readonly closed: boolean;
}

/**
 * What a window the store has no data for means. `gap`: unknown (a store or pipeline outage looks
 * the same as a quiet hour) — missing for the models, which impute it, and never alerted on.
 * `zero`: no activity — 0, except before the series' first data, which stays missing so a young
 * series does not start with a run of invented zeros.
 */
export type AbsentWindows = 'gap' | 'zero';

/** The `count` windows from `from` as a regular series for the models (null = missing). */
export function toTimeSeries(
  stored: readonly StoredWindow[],
  from: number,
  count: number,
  stepMs: number,
  absent: AbsentWindows,
): TimeSeries {
  const values: (number | null)[] = new Array<number | null>(count).fill(null);
  for (const window of stored) {
    const index = (window.start - from) / stepMs;
    if (Number.isInteger(index) && index >= 0 && index < count) values[index] = window.value;
  }
  if (absent === 'zero') {
    const first = values.findIndex((value) => value !== null);
    if (first >= 0) for (let i = first; i < count; i += 1) values[i] ??= 0;
  }
  return { start: from, stepMs, values };
}

/** The series with the windows starting at `starts` made missing (anomalies kept out of a refit). */
export function withoutWindows(series: TimeSeries, starts: Iterable<number>): TimeSeries {
  const values = [...series.values];
  for (const start of starts) {
    const index = (start - series.start) / series.stepMs;
    if (Number.isInteger(index) && index >= 0 && index < values.length) values[index] = null;
  }
  return { ...series, values };
}

/** The actual of one closed window: the stored value, 0 for an absent window in `zero` mode, else none. */
export function actualOf(
  stored: ReadonlyMap<number, StoredWindow>,
  start: number,
  absent: AbsentWindows,
): StoredWindow | undefined {
  return stored.get(start) ?? (absent === 'zero' ? { start, value: 0, closed: true } : undefined);
}
