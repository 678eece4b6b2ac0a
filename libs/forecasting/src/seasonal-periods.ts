/**
 * Which of the granularity's seasonal periods each model uses for a history of `length` points.
 * A period is only trusted once the history shows it repeated, so short histories fall back to
 * the shortest period.
 */

/** Seasonal naive, imputation and the MASE scale: the longest period covered twice. */
export function naivePeriod(periods: readonly number[], length: number): number {
  return longestCovered(periods, length, 2);
}

/**
 * Holt-Winters' single seasonal period: the longest one covered three times (two seasons to
 * initialize the states, at least one more to fit the smoothing parameters on).
 */
export function primaryPeriod(periods: readonly number[], length: number): number {
  return longestCovered(periods, length, 3);
}

/** The linear model's Fourier terms: every period covered twice (at least the shortest). */
export function fourierPeriods(periods: readonly number[], length: number): number[] {
  const sorted = [...periods].sort((a, b) => a - b);
  const covered = sorted.filter((period) => length >= 2 * period);
  return covered.length > 0 ? covered : sorted.slice(0, 1);
}

export function shortestPeriod(periods: readonly number[]): number {
  return Math.min(...periods);
}

function longestCovered(periods: readonly number[], length: number, times: number): number {
  const covered = periods.filter((period) => length >= times * period);
  return covered.length > 0 ? Math.max(...covered) : shortestPeriod(periods);
}
