import { DEFAULT_LEVELS } from './fitted-model.js';
import { AccuracyTally, naiveScale, scaledError } from './forecast-accuracy.js';
import { FORECAST_MODELS, type FitOptions } from './forecast-models.js';
import { InsufficientHistoryError } from './insufficient-history-error.js';
import { minimumHistory } from './minimum-history.js';
import { MODEL_CHOICES, type ModelChoice, type ModelName } from './model-names.js';
import { rollingOrigins } from './rolling-origins.js';
import { historyLabel, isObserved, observedSpan, resolvePeriods, timeAt, type TimeSeries } from './time-series.js';

export interface BacktestOptions extends FitOptions {
  /** How many forecast origins. */
  readonly origins: number;
  /** Windows forecast from each origin. */
  readonly horizon: number;
  /** Windows between origins; default the horizon (forecasts do not overlap). */
  readonly stride?: number;
  /** Interval levels whose coverage is measured; default 0.8 and 0.95. */
  readonly levels?: readonly number[];
}

export interface IntervalCoverage {
  readonly level: number;
  /** Share of scored windows whose actual fell inside the interval (bounds included). */
  readonly coverage: number;
}

export interface BacktestReport {
  readonly model: ModelChoice;
  readonly horizon: number;
  /** Epoch ms of the first forecast window at each origin, ascending. */
  readonly origins: readonly number[];
  /** Scored windows: every forecast window with an observed actual. */
  readonly points: number;
  readonly mae: number;
  /** MAE / in-sample seasonal naive MAE of the history before the first origin (see naiveScale). */
  readonly mase: number;
  /** Percent, 0..200; a window where actual and forecast are both 0 counts as 0. */
  readonly smape: number;
  readonly coverage: readonly IntervalCoverage[];
  /** Origins at which each model made the forecast (for `auto`, what it chose). */
  readonly chosen: Readonly<Partial<Record<ModelName, number>>>;
}

/**
 * Rolling-origin evaluation: at each origin the model is fitted (hyperparameters, calibration and
 * for `auto` the choice included) on the history before it only, forecasts `horizon` windows, and
 * is scored against the observed actuals. The last origin's forecast ends with the series.
 * @throws InsufficientHistoryError when the first origin would leave the model too little history.
 */
export function backtest(series: TimeSeries, model: ModelChoice, options: BacktestOptions): BacktestReport {
  const { origins: count, horizon, stride = options.horizon, levels = DEFAULT_LEVELS, ...fitOptions } = options;
  for (const [name, value] of Object.entries({ origins: count, horizon, stride })) {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`backtest ${name} must be a positive integer, got ${value}`);
  }
  const periods = resolvePeriods(series, options.periods);
  const span = observedSpan(series);
  const required = minimumHistory(model, periods) + horizon + (count - 1) * stride;
  if (span.values.length < required) {
    throw new InsufficientHistoryError(
      model,
      required,
      span.values.length,
      `${historyLabel(series.stepMs)} for ${count} backtest origins ${stride} apart forecasting ${horizon} windows`,
    );
  }
  const origins = rollingOrigins(span.values.length, 0, horizon, stride, count);
  const tally = new AccuracyTally();
  const covered = levels.map(() => 0);
  const chosen: Partial<Record<ModelName, number>> = {};
  for (const origin of origins) {
    const history = { start: span.start, stepMs: series.stepMs, values: span.values.slice(0, origin) };
    const fitted = FORECAST_MODELS[model].fit(history, fitOptions);
    chosen[fitted.model] = (chosen[fitted.model] ?? 0) + 1;
    fitted.forecast(horizon, levels).forEach((point, step) => {
      const actual = span.values[origin + step];
      if (!isObserved(actual)) return;
      tally.add(actual, point.mean);
      point.intervals.forEach(({ lower, upper }, i) => {
        if (actual >= lower && actual <= upper) covered[i] += 1;
      });
    });
  }
  return {
    model,
    horizon,
    origins: origins.map((origin) => timeAt({ start: span.start, stepMs: series.stepMs }, origin)),
    points: tally.points,
    mae: tally.mae,
    mase: scaledError(tally.mae, naiveScale(span.values.slice(0, origins[0]), periods)),
    smape: tally.smape,
    coverage: levels.map((level, i) => ({ level, coverage: tally.points > 0 ? covered[i] / tally.points : 0 })),
    chosen,
  };
}

/** backtest() of each model (all of them, `auto` included, by default) on the same origins. */
export function backtestAll(
  series: TimeSeries,
  options: BacktestOptions,
  models: readonly ModelChoice[] = MODEL_CHOICES,
): BacktestReport[] {
  return models.map((model) => backtest(series, model, options));
}
