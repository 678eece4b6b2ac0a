import { naivePeriod } from './seasonal-periods.js';
import { isObserved } from './time-series.js';

/**
 * One point's symmetric absolute percentage error, in percent (0..200):
 * 200 · |actual − forecast| / (|actual| + |forecast|), and 0 when both are 0 (a correct zero).
 */
export function symmetricPercentageError(actual: number, forecast: number): number {
  const denominator = Math.abs(actual) + Math.abs(forecast);
  return denominator === 0 ? 0 : (200 * Math.abs(actual - forecast)) / denominator;
}

/**
 * MASE's denominator: the in-sample MAE of the seasonal naive forecast (lag = the longest period
 * covered twice) over the observed pairs of `history`. When that is 0 (a history that repeats
 * exactly) the lag-1 naive MAE stands in; 0 still means a constant history.
 */
export function naiveScale(history: readonly (number | null)[], periods: readonly number[]): number {
  const seasonal = laggedMae(history, naivePeriod(periods, history.length));
  return seasonal > 0 ? seasonal : laggedMae(history, 1);
}

/** MAE / scale; with a zero scale (constant history) 0 for a perfect forecast, else +∞. Never NaN. */
export function scaledError(mae: number, scale: number): number {
  if (scale > 0) return mae / scale;
  return mae === 0 ? 0 : Number.POSITIVE_INFINITY;
}

function laggedMae(history: readonly (number | null)[], lag: number): number {
  let sum = 0;
  let count = 0;
  for (let t = lag; t < history.length; t += 1) {
    const now = history[t];
    const before = history[t - lag];
    if (isObserved(now) && isObserved(before)) {
      sum += Math.abs(now - before);
      count += 1;
    }
  }
  return count > 0 ? sum / count : 0;
}

/** Accumulates scored points: MAE, sMAPE, and which of them fell inside each interval. */
export class AccuracyTally {
  points = 0;
  private absolute = 0;
  private percentage = 0;

  add(actual: number, forecast: number): void {
    this.points += 1;
    this.absolute += Math.abs(actual - forecast);
    this.percentage += symmetricPercentageError(actual, forecast);
  }

  get mae(): number {
    return this.points > 0 ? this.absolute / this.points : 0;
  }

  get smape(): number {
    return this.points > 0 ? this.percentage / this.points : 0;
  }
}
