import { type Granularity } from '@pulse/contracts';

/**
 * A regular metric series: `values[i]` is the window that starts at `start + i * stepMs` (epoch ms
 * UTC); `null` marks a window without data. Forecasts continue the series after its last value.
 */
export interface TimeSeries {
  readonly start: number;
  readonly stepMs: number;
  readonly values: readonly (number | null)[];
}

/**
 * Seasonal periods, in steps, that the models look for at each granularity (shortest first).
 * - 1m: the hour (60) for short histories and the day (1440) once two days of minutes are at hand;
 *   minute data rarely has an hourly pattern of its own, but an hour is the longest cycle a
 *   few-hours history can show and the day is what dominates shop traffic.
 * - 1h: the day (24) and the week (168).
 * - 1d: the week (7); a yearly cycle would need two years of days and is left out.
 * A period is only used once the history covers it (see seasonal-periods.ts).
 */
const PERIODS: Readonly<Record<Granularity, readonly number[]>> = {
  '1m': [60, 1440],
  '1h': [24, 168],
  '1d': [7],
};

export function seasonalPeriods(granularity: Granularity): readonly number[] {
  return PERIODS[granularity];
}

/**
 * Window lengths of the granularities: the values of GRANULARITIES in @pulse/contracts, keyed by its
 * type. Not imported as a value because the contracts barrel also loads the generated gRPC code
 * and Nest (about 2 s), which a pure library and its unit tests should not pay for.
 */
const WINDOW_MS: Readonly<Record<Granularity, number>> = { '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 };

/** The granularity whose window is `stepMs` long, if there is one. */
export function granularityOf(stepMs: number): Granularity | undefined {
  return (Object.keys(WINDOW_MS) as Granularity[]).find((name) => WINDOW_MS[name] === stepMs);
}

/** Epoch ms of the window `index` steps after the series start. */
export function timeAt(series: Pick<TimeSeries, 'start' | 'stepMs'>, index: number): number {
  return series.start + index * series.stepMs;
}

/** A value that counts as observed: missing (null) and non-finite numbers do not. */
export function isObserved(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * The seasonal periods to use for a series: the given ones, else those of its granularity.
 * @throws RangeError for a step of no known granularity without periods, or invalid periods.
 */
export function resolvePeriods(
  series: Pick<TimeSeries, 'start' | 'stepMs'>,
  periods?: readonly number[],
): readonly number[] {
  const { start, stepMs } = series;
  if (!Number.isFinite(start) || !(stepMs > 0) || !Number.isFinite(stepMs)) {
    throw new RangeError(`a series needs a finite start and a positive step, got ${start} and ${stepMs}`);
  }
  const granularity = granularityOf(stepMs);
  const resolved = periods ?? (granularity ? seasonalPeriods(granularity) : undefined);
  if (!resolved || resolved.length === 0 || !resolved.every((p) => Number.isInteger(p) && p >= 2)) {
    const given = resolved ? `[${resolved.join(', ')}]` : 'none';
    throw new RangeError(`no seasonal periods for a ${stepMs} ms step: pass integers of at least 2, got ${given}`);
  }
  return resolved;
}

/** What a count of windows of this series is called in messages: "1h history", "90000 ms history". */
export function historyLabel(stepMs: number): string {
  return `${granularityOf(stepMs) ?? `${stepMs} ms`} history`;
}

/** The series from its first observed window on (non-finite values made null), and that window's start. */
export function observedSpan(series: TimeSeries): { start: number; values: (number | null)[] } {
  const first = series.values.findIndex(isObserved);
  if (first < 0) return { start: series.start, values: [] };
  return {
    start: timeAt(series, first),
    values: series.values.slice(first).map((value) => (isObserved(value) ? value : null)),
  };
}
