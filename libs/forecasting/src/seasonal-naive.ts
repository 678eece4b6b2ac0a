import { type PointModel } from './point-model.js';
import { naivePeriod } from './seasonal-periods.js';

/**
 * The baseline: every window repeats the value one season before it, the season being the longest
 * period the history covers twice (else the shortest).
 */
export function fitSeasonalNaive(values: readonly number[], periods: readonly number[]): PointModel {
  const period = naivePeriod(periods, values.length);
  const residuals: number[] = [];
  for (let t = period; t < values.length; t += 1) residuals.push(values[t] - values[t - period]);
  return new SeasonalNaive(values, periods, residuals);
}

class SeasonalNaive implements PointModel {
  readonly name = 'seasonal_naive';

  constructor(
    private readonly history: readonly number[],
    private readonly periods: readonly number[],
    readonly residuals: readonly number[],
  ) {}

  predict(horizon: number): number[] {
    return this.from(this.history.length, horizon);
  }

  forecastsAt(origins: readonly number[], horizon: number): number[][] {
    return origins.map((origin) => this.from(origin, horizon));
  }

  advance(values: readonly number[]): PointModel {
    return new SeasonalNaive([...this.history, ...values], this.periods, this.residuals);
  }

  /** What the model refitted on `history[0..origin)` forecasts (its period may be shorter there). */
  private from(origin: number, horizon: number): number[] {
    const period = Math.min(naivePeriod(this.periods, origin), origin);
    return Array.from({ length: horizon }, (_, i) => this.history[origin - period + (i % period)]);
  }
}
