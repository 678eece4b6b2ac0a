import { AccuracyTally, naiveScale, scaledError } from './forecast-accuracy.js';
import { type ModelName } from './model-names.js';
import { type PointModel } from './point-model.js';
import { isObserved } from './time-series.js';

/** Accuracy of a model over the windows a rolling-origin backtest scored. */
export interface ModelScore {
  readonly model: ModelName;
  /** MAE over the in-sample seasonal naive MAE of the history before the first origin. */
  readonly mase: number;
  /** Mean symmetric absolute percentage error, percent (0..200; 0 where actual and forecast are 0). */
  readonly smape: number;
  readonly mae: number;
  /** Scored windows (missing actuals are not scored). */
  readonly points: number;
}

/**
 * Origins (index of the first forecast window) of a rolling-origin backtest: `stride` apart,
 * the last one `horizon` windows before the end, none before `earliest`; at most `count`, ascending.
 */
export function rollingOrigins(
  length: number,
  earliest: number,
  horizon: number,
  stride: number,
  count: number,
): number[] {
  const origins: number[] = [];
  for (let origin = length - horizon; origin >= earliest && origins.length < count; origin -= stride) {
    origins.unshift(origin);
  }
  return origins;
}

export interface RollingEvaluation {
  /** errors[i][h − 1]: actual − forecast at origin i, step h; null where the actual is missing. */
  readonly errors: (number | null)[][];
  readonly score: ModelScore;
}

/**
 * Scores the forecasts a fitted model makes from earlier origins against the observed actuals
 * (imputed windows are never scored).
 */
export function evaluateAtOrigins(
  model: PointModel,
  observed: readonly (number | null)[],
  origins: readonly number[],
  horizon: number,
  periods: readonly number[],
): RollingEvaluation {
  const tally = new AccuracyTally();
  const forecasts = model.forecastsAt(origins, horizon);
  const errors = forecasts.map((row, i) =>
    row.map((forecast, step) => {
      const actual = observed[origins[i] + step];
      if (!isObserved(actual)) return null;
      tally.add(actual, forecast);
      return actual - forecast;
    }),
  );
  const scale = naiveScale(observed.slice(0, origins[0]), periods);
  return {
    errors,
    score: {
      model: model.name,
      mase: scaledError(tally.mae, scale),
      smape: tally.smape,
      mae: tally.mae,
      points: tally.points,
    },
  };
}
