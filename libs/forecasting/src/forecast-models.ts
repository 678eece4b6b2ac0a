import { CalibratedModel, type FittedModel } from './fitted-model.js';
import { fitHoltWinters } from './holt-winters.js';
import { impute } from './imputation.js';
import { InsufficientHistoryError } from './insufficient-history-error.js';
import { IntervalCalibration } from './interval-calibration.js';
import { fitLinear } from './linear-model.js';
import { minimumHistory } from './minimum-history.js';
import { MODEL_NAMES, type ModelChoice, type ModelName } from './model-names.js';
import { type PointModel } from './point-model.js';
import { evaluateAtOrigins, rollingOrigins, type RollingEvaluation } from './rolling-origins.js';
import { fitSeasonalNaive } from './seasonal-naive.js';
import { naivePeriod, shortestPeriod } from './seasonal-periods.js';
import { historyLabel, observedSpan, resolvePeriods, timeAt, type TimeSeries } from './time-series.js';
import { ZeroModel } from './zero-model.js';

export interface FitOptions {
  /** Seasonal periods in windows; default: seasonalPeriods() of the series' granularity. */
  readonly periods?: readonly number[];
  /** Clip means and lower bounds at 0, for metrics that cannot go negative. Default false. */
  readonly nonNegative?: boolean;
  readonly calibration?: CalibrationOptions;
}

/**
 * The rolling-origin backtest inside every fit, whose errors give the intervals (and `auto` its
 * choice). The model's hyperparameters (λ, smoothing parameters) are those fitted on the whole
 * history; at each origin the model refits its coefficients, or runs its states, on the history
 * before that origin only. Defaults: horizon = the shortest period, 120 origins a twelfth of that
 * period apart (for 1h: a day ahead from every other hour of the last ten days).
 */
export interface CalibrationOptions {
  /** Windows ahead the intervals are calibrated for; further out they widen by √(h / horizon). */
  readonly horizon?: number;
  readonly origins?: number;
  readonly stride?: number;
}

export interface ForecastModel {
  readonly name: ModelChoice;
  /**
   * Fits the model to the series (leading missing windows dropped, later ones imputed).
   * @throws InsufficientHistoryError when the series is shorter than minimumHistory().
   * @throws RangeError on a step without known periods (pass `periods`) or invalid options.
   */
  fit(series: TimeSeries, options?: FitOptions): FittedModel;
}

const POINT_FITS: Readonly<Record<ModelName, (values: readonly number[], periods: readonly number[]) => PointModel>> = {
  seasonal_naive: fitSeasonalNaive,
  linear: fitLinear,
  holt_winters: fitHoltWinters,
};

const DEFAULT_CALIBRATION_ORIGINS = 120;
/** `auto` needs at least this many common origins to compare models on; below it keeps the baseline. */
const MIN_SELECTION_ORIGINS = 4;

export const FORECAST_MODELS: Readonly<Record<ModelChoice, ForecastModel>> = {
  auto: { name: 'auto', fit: (series, options) => fitModel('auto', series, options) },
  seasonal_naive: { name: 'seasonal_naive', fit: (series, options) => fitModel('seasonal_naive', series, options) },
  linear: { name: 'linear', fit: (series, options) => fitModel('linear', series, options) },
  holt_winters: { name: 'holt_winters', fit: (series, options) => fitModel('holt_winters', series, options) },
};

/** A series cut to its observed span and filled, with what the models need to know about it. */
interface History {
  readonly start: number;
  readonly stepMs: number;
  readonly periods: readonly number[];
  /** From the first observed window on; null where missing. */
  readonly observed: readonly (number | null)[];
  /** The same windows with the missing ones imputed. */
  readonly values: readonly number[];
}

function fitModel(choice: ModelChoice, series: TimeSeries, options: FitOptions = {}): FittedModel {
  const history = prepareHistory(choice, series, options);
  const plan = calibrationPlan(history, options.calibration ?? {});
  const finish = (point: PointModel, chosen?: RollingEvaluation, all: readonly RollingEvaluation[] = []) =>
    new CalibratedModel(
      point,
      IntervalCalibration.fromErrors(chosen?.errors ?? [], point.residuals, plan.horizon),
      timeAt(history, history.values.length),
      history.stepMs,
      options.nonNegative ?? false,
      all.map((evaluation) => evaluation.score),
    );

  if (history.observed.every((value) => value === null || value === 0)) {
    return finish(new ZeroModel(choice === 'auto' ? 'seasonal_naive' : choice));
  }
  if (choice !== 'auto') {
    const point = POINT_FITS[choice](history.values, history.periods);
    const origins = plan.origins([choice]);
    const evaluation = origins.length > 0 ? plan.evaluate(point, origins) : undefined;
    return finish(point, evaluation, evaluation ? [evaluation] : []);
  }

  // auto compares the models whose minimum the history meets on common origins, dropping the most
  // demanding ones while they leave too few; with none left it keeps the baseline, unscored.
  let candidates = MODEL_NAMES.filter((name) => history.values.length >= minimumHistory(name, history.periods));
  while (candidates.length > 0 && plan.origins(candidates).length < MIN_SELECTION_ORIGINS) {
    const most = Math.max(...candidates.map((name) => minimumHistory(name, history.periods)));
    candidates = candidates.filter((name) => minimumHistory(name, history.periods) < most);
  }
  if (candidates.length === 0) return finish(fitSeasonalNaive(history.values, history.periods));
  const origins = plan.origins(candidates);
  const fitted = candidates.map((name) => {
    const point = POINT_FITS[name](history.values, history.periods);
    return { point, evaluation: plan.evaluate(point, origins) };
  });
  // Strictly lower MASE wins, so on a tie the simpler model (earlier in MODEL_NAMES) stays.
  const best = fitted.reduce((a, b) => (b.evaluation.score.mase < a.evaluation.score.mase ? b : a));
  return finish(
    best.point,
    best.evaluation,
    fitted.map((f) => f.evaluation),
  );
}

interface CalibrationPlan {
  readonly horizon: number;
  /** Origins at which every one of the models has its minimum history. */
  origins(models: readonly ModelName[]): number[];
  evaluate(point: PointModel, origins: readonly number[]): RollingEvaluation;
}

function calibrationPlan(history: History, options: CalibrationOptions): CalibrationPlan {
  const season = shortestPeriod(history.periods);
  const horizon = options.horizon ?? season;
  const stride = options.stride ?? Math.max(1, Math.round(season / 12));
  const count = options.origins ?? DEFAULT_CALIBRATION_ORIGINS;
  if (![horizon, stride].every((x) => Number.isInteger(x) && x >= 1) || !Number.isInteger(count) || count < 0) {
    throw new RangeError(
      `calibration horizon and stride must be positive integers and origins a count, got ${horizon}, ${stride}, ${count}`,
    );
  }
  return {
    horizon,
    origins: (models) => {
      const earliest = Math.max(...models.map((name) => minimumHistory(name, history.periods)));
      return rollingOrigins(history.values.length, earliest, horizon, stride, count);
    },
    evaluate: (point, origins) => evaluateAtOrigins(point, history.observed, origins, horizon, history.periods),
  };
}

function prepareHistory(model: ModelChoice, series: TimeSeries, options: FitOptions): History {
  const periods = resolvePeriods(series, options.periods);
  const span = observedSpan(series);
  const required = minimumHistory(model, periods);
  if (span.values.length < required) {
    throw new InsufficientHistoryError(model, required, span.values.length, historyLabel(series.stepMs));
  }
  return {
    start: span.start,
    stepMs: series.stepMs,
    periods,
    observed: span.values,
    values: impute(span.values, naivePeriod(periods, span.values.length)),
  };
}
