import {
  DIMENSION_ALL,
  DIMENSION_KINDS,
  GRANULARITY_NAMES,
  METRICS,
  proto,
  type Granularity,
  type Metric,
} from '@pulse/contracts';
import { DEFAULT_LEVELS, MODEL_CHOICES, seasonalPeriods, type ModelChoice } from '@pulse/forecasting';

import { ArgumentError } from './argument-error.js';

const { ForecastModel } = proto.pulse.forecast.v1;

/** One metric series of a tenant as the store keeps it. */
export interface SeriesRef {
  readonly metric: Metric;
  readonly dimension: string;
  readonly granularity: Granularity;
}

export interface ForecastQuery extends SeriesRef {
  readonly horizon: number;
  readonly model: ModelChoice;
  readonly levels: readonly number[];
}

export interface BacktestQuery extends SeriesRef {
  readonly horizon: number;
  readonly origins: number;
  readonly stride: number;
  readonly models: readonly ModelChoice[];
  readonly levels: readonly number[];
}

/** The furthest a forecast (or a backtest's horizon and stride) may reach, in windows: a day of minutes, 30 days of hours, a year of days. */
export const MAX_HORIZON: Readonly<Record<Granularity, number>> = { '1m': 1440, '1h': 720, '1d': 366 };
export const DEFAULT_GRANULARITY: Granularity = '1h';
export const DEFAULT_ORIGINS = 10;
export const MAX_ORIGINS = 50;
export const MAX_LEVELS = 5;
const MAX_DIMENSION_VALUE = 256;

const MODEL_OF: Readonly<Record<string, ModelChoice>> = {
  [ForecastModel.FORECAST_MODEL_AUTO]: 'auto',
  [ForecastModel.FORECAST_MODEL_LINEAR]: 'linear',
  [ForecastModel.FORECAST_MODEL_HOLT_WINTERS]: 'holt_winters',
  [ForecastModel.FORECAST_MODEL_SEASONAL_NAIVE]: 'seasonal_naive',
};

/** Why a dimension name is malformed, or undefined when it is `all` or `<kind>:<value>`. */
export function dimensionProblem(dimension: string): string | undefined {
  if (dimension === DIMENSION_ALL) return undefined;
  const colon = dimension.indexOf(':');
  const kind = colon > 0 ? dimension.slice(0, colon) : '';
  if (!(DIMENSION_KINDS as readonly string[]).includes(kind)) {
    return `must be "all" or <kind>:<value> with kind ${DIMENSION_KINDS.join(', ')}`;
  }
  const value = dimension.slice(colon + 1);
  if (value.length === 0 || value.length > MAX_DIMENSION_VALUE) {
    return `the value after "${kind}:" must have 1 to ${MAX_DIMENSION_VALUE} characters`;
  }
  return undefined;
}

function seriesOf(request: { metric?: string; dimension?: string; granularity?: string }): SeriesRef {
  const metric = request.metric ?? '';
  if (metric === '') throw new ArgumentError('metric', 'required, e.g. "revenue"');
  if (!(METRICS as readonly string[]).includes(metric)) {
    throw new ArgumentError('metric', `unknown metric "${metric}"; one of ${METRICS.join(', ')}`);
  }
  const dimension = request.dimension || DIMENSION_ALL;
  const problem = dimensionProblem(dimension);
  if (problem) throw new ArgumentError('dimension', problem);
  const granularity = request.granularity || DEFAULT_GRANULARITY;
  if (!(GRANULARITY_NAMES as readonly string[]).includes(granularity)) {
    throw new ArgumentError('granularity', `must be 1m, 1h or 1d (empty means 1h), got "${granularity}"`);
  }
  return { metric: metric as Metric, dimension, granularity: granularity as Granularity };
}

/** One season of the shortest period: what a horizon of 0 means. */
export function defaultHorizon(granularity: Granularity): number {
  return Math.min(...seasonalPeriods(granularity));
}

function windowsOf(field: string, value: number | undefined, granularity: Granularity, fallback: number): number {
  const max = MAX_HORIZON[granularity];
  const windows = value || fallback;
  if (!Number.isInteger(windows) || windows < 1 || windows > max) {
    throw new ArgumentError(field, `must be 1 to ${max} windows of ${granularity} (0 means ${fallback}), got ${value}`);
  }
  return windows;
}

function levelsOf(field: string, levels: readonly number[] | undefined): readonly number[] {
  if (!levels || levels.length === 0) return DEFAULT_LEVELS;
  if (levels.length > MAX_LEVELS) throw new ArgumentError(field, `at most ${MAX_LEVELS} levels, got ${levels.length}`);
  levels.forEach((level, i) => {
    if (!(typeof level === 'number' && level > 0 && level < 1)) {
      throw new ArgumentError(`${field}[${i}]`, `must be between 0 and 1 (exclusive), got ${level}`);
    }
    if (levels.indexOf(level) !== i) throw new ArgumentError(`${field}[${i}]`, `repeats level ${level}`);
  });
  return [...levels];
}

function modelOf(field: string, value: unknown, unspecified: ModelChoice | undefined): ModelChoice {
  const name = String(value ?? ForecastModel.FORECAST_MODEL_UNSPECIFIED);
  if (name === ForecastModel.FORECAST_MODEL_UNSPECIFIED && unspecified) return unspecified;
  const model = MODEL_OF[name];
  if (!model) {
    throw new ArgumentError(field, `must be one of ${Object.keys(MODEL_OF).join(', ')}, got ${name}`);
  }
  return model;
}

/** @throws ArgumentError naming the first field at fault */
export function parseForecastRequest(request: Partial<proto.pulse.forecast.v1.ForecastRequest>): ForecastQuery {
  const series = seriesOf(request);
  return {
    ...series,
    horizon: windowsOf('horizon', request.horizon, series.granularity, defaultHorizon(series.granularity)),
    model: modelOf('model', request.model, 'auto'),
    levels: levelsOf('interval_levels', request.intervalLevels),
  };
}

/** @throws ArgumentError naming the first field at fault */
export function parseBacktestRequest(request: Partial<proto.pulse.forecast.v1.BacktestRequest>): BacktestQuery {
  const series = seriesOf(request);
  const horizon = windowsOf('horizon', request.horizon, series.granularity, defaultHorizon(series.granularity));
  const origins = request.origins || DEFAULT_ORIGINS;
  if (!Number.isInteger(origins) || origins < 1 || origins > MAX_ORIGINS) {
    throw new ArgumentError(
      'origins',
      `must be 1 to ${MAX_ORIGINS} (0 means ${DEFAULT_ORIGINS}), got ${request.origins}`,
    );
  }
  const stride = windowsOf('stride', request.stride, series.granularity, horizon);
  const requested = request.models ?? [];
  const models =
    requested.length === 0 ? [...MODEL_CHOICES] : requested.map((m, i) => modelOf(`models[${i}]`, m, undefined));
  models.forEach((model, i) => {
    if (models.indexOf(model) !== i) throw new ArgumentError(`models[${i}]`, `repeats ${model}`);
  });
  return { ...series, horizon, origins, stride, models, levels: levelsOf('interval_levels', request.intervalLevels) };
}
