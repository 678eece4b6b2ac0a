import { type ModelChoice } from './model-names.js';
import { shortestPeriod } from './seasonal-periods.js';

/**
 * Points a model needs before it will fit, in seasons of the shortest period p:
 * - seasonal_naive and linear: 2p (one season to repeat or fit, a second to measure errors on);
 * - holt_winters: 3p (two seasons to initialize level, trend and seasonal states, one to fit on);
 * - auto: 2p; it only considers the models whose own minimum the history meets.
 * For 1h that is 48 / 48 / 72 / 48 points, for 1d 14 / 14 / 21 / 14, for 1m 120 / 120 / 180 / 120.
 */
export function minimumHistory(model: ModelChoice, periods: readonly number[]): number {
  const season = shortestPeriod(periods);
  return model === 'holt_winters' ? 3 * season : 2 * season;
}
