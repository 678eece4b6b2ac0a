import { type ModelName } from './model-names.js';

/**
 * A model fitted to a complete history (missing points already filled): the point forecasts,
 * before any interval. Step `h` (1-based) of a forecast is the window `h - 1` steps after the
 * last observed one.
 */
export interface PointModel {
  readonly name: ModelName;
  /** Mean forecasts for the next `horizon` windows after the history. */
  predict(horizon: number): number[];
  /**
   * Forecasts that the same model (same hyperparameters) makes from earlier origins: for origin
   * `o`, only `history[0..o)` is used. Origins ascending, within the fitted history.
   */
  forecastsAt(origins: readonly number[], horizon: number): number[][];
  /** The model after observing more (complete) values; hyperparameters and coefficients kept. */
  advance(values: readonly number[]): PointModel;
  /** In-sample one-step-ahead residuals (actual − forecast). */
  readonly residuals: readonly number[];
}
