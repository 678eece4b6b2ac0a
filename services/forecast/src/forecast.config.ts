import { ConfigError, loadConfig, NatsSettings, ShutdownSettings, splitList } from '@pulse/config';
import { DIMENSION_ALL, GRANULARITY_NAMES, METRICS, type Granularity, type Metric } from '@pulse/contracts';
import { StreamSettings } from '@pulse/messaging';

import { Type, type Static } from '@sinclair/typebox';

import { dimensionProblem } from './forecasting/forecast-requests.js';

export const ForecastConfigSchema = Type.Object({
  ...NatsSettings,
  ...StreamSettings,
  ...ShutdownSettings,
  PULSE_FORECAST_HOST: Type.String({ default: '0.0.0.0' }),
  PULSE_FORECAST_HTTP_PORT: Type.Integer({ default: 8084, minimum: 1, maximum: 65535 }),
  PULSE_FORECAST_GRPC_PORT: Type.Integer({ default: 50052, minimum: 1, maximum: 65535 }),
  /** Where the store's MetricsService listens (history comes from there). */
  PULSE_STORE_ADDR: Type.String({ default: '127.0.0.1:50051' }),
  /** The same key file as the store's: a caller's key names its tenant, and is sent on to the store. */
  PULSE_API_KEYS_FILE: Type.String({ minLength: 1 }),
  /**
   * The aggregator's settings of the same names: a window is complete once its end plus both has
   * passed on the wall clock. Set them to the aggregator's values.
   */
  PULSE_AGGREGATOR_ALLOWED_LATENESS_MS: Type.Integer({ default: 300_000, minimum: 0 }),
  PULSE_AGGREGATOR_OUT_OF_ORDERNESS_MS: Type.Integer({ default: 10_000, minimum: 0 }),
  /** Windows of history a model is fitted on, per granularity (8 weeks of hours, 2 days of minutes, 2 years of days). */
  PULSE_FORECAST_HISTORY_WINDOWS_1M: Type.Integer({ default: 2_880, minimum: 120, maximum: 20_000 }),
  PULSE_FORECAST_HISTORY_WINDOWS_1H: Type.Integer({ default: 1_344, minimum: 48, maximum: 20_000 }),
  PULSE_FORECAST_HISTORY_WINDOWS_1D: Type.Integer({ default: 730, minimum: 14, maximum: 20_000 }),
  /**
   * What a window the store has no data for is: `gap` (missing, imputed by the models, never
   * alerted on) or `zero` (no activity; windows before the series' first data stay missing).
   */
  PULSE_FORECAST_ABSENT_WINDOWS: Type.Union([Type.Literal('gap'), Type.Literal('zero')], { default: 'gap' }),
  /** Deadline of one store read (a call's own deadline is used when it is earlier). */
  PULSE_FORECAST_STORE_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100 }),
  /** The longest a Forecast or Backtest call runs when the caller's deadline is later or absent. */
  PULSE_FORECAST_QUERY_TIMEOUT_MS: Type.Integer({ default: 60_000, minimum: 100 }),
  /** Fitted models kept (least recently used ones are dropped). */
  PULSE_FORECAST_CACHE_MAX_MODELS: Type.Integer({ default: 1_000, minimum: 1 }),
  /** A model is refitted when it is this old ... */
  PULSE_FORECAST_REFIT_INTERVAL_MS: Type.Integer({ default: 86_400_000, minimum: 1_000 }),
  /** ... or when this many windows closed since its fit; in between it is updated window by window. */
  PULSE_FORECAST_REFIT_AFTER_WINDOWS: Type.Integer({ default: 24, minimum: 1 }),
  /**
   * JSON `{"keys":[{"tenant":"demo","key":"<API key>"}]}`: the query keys the anomaly watcher
   * reads each tenant's series with (the key file holds only hashes). Empty: no watcher.
   */
  PULSE_FORECAST_WATCH_KEYS_FILE: Type.String({ default: '' }),
  /** How often the watcher looks for newly closed windows. */
  PULSE_FORECAST_WATCH_INTERVAL_MS: Type.Integer({ default: 30_000, minimum: 100 }),
  /** Comma-separated granularities watched: 1h by default; 1m and 1d are possible. */
  PULSE_FORECAST_WATCH_GRANULARITIES: Type.String({ default: '1h' }),
  /** Comma-separated metrics watched for every watched dimension. */
  PULSE_FORECAST_WATCH_METRICS: Type.String({ default: 'revenue,orders' }),
  /** The top products by revenue over the last 7 days (store TopDimensions) watched besides `all`; 0: none. */
  PULSE_FORECAST_WATCH_TOP_PRODUCTS: Type.Integer({ default: 5, minimum: 0, maximum: 100 }),
  /** Comma-separated dimensions always watched besides `all`, e.g. `product:SKU-1,country:GB`. */
  PULSE_FORECAST_WATCH_DIMENSIONS: Type.String({ default: '' }),
  /**
   * Closed windows per series evaluated at most in one go: at start-up the last ones (alerts a
   * previous instance raised are not raised twice), after an outage the latest ones.
   */
  PULSE_FORECAST_WATCH_CATCH_UP_WINDOWS: Type.Integer({ default: 6, minimum: 1, maximum: 1_000 }),
  /** How long past its closing time a window whose store point is not final yet is waited for. */
  PULSE_FORECAST_WATCH_CLOSE_WAIT_MS: Type.Integer({ default: 900_000, minimum: 0 }),
});
export type ForecastConfig = Static<typeof ForecastConfigSchema>;

export const FORECAST_CONFIG = Symbol('FORECAST_CONFIG');

/** The watcher's lists, parsed and checked. */
export interface WatchLists {
  readonly granularities: readonly Granularity[];
  readonly metrics: readonly Metric[];
  readonly dimensions: readonly string[];
}

export function watchListsOf(config: Readonly<ForecastConfig>): WatchLists {
  const problems: string[] = [];
  const granularities = unique(splitList(config.PULSE_FORECAST_WATCH_GRANULARITIES));
  for (const value of granularities) {
    if (!(GRANULARITY_NAMES as readonly string[]).includes(value)) {
      problems.push(`PULSE_FORECAST_WATCH_GRANULARITIES: unknown granularity "${value}" (1m, 1h or 1d)`);
    }
  }
  const metrics = unique(splitList(config.PULSE_FORECAST_WATCH_METRICS));
  for (const value of metrics) {
    if (!(METRICS as readonly string[]).includes(value)) {
      problems.push(`PULSE_FORECAST_WATCH_METRICS: unknown metric "${value}"`);
    }
  }
  if (metrics.length === 0) problems.push('PULSE_FORECAST_WATCH_METRICS: name at least one metric');
  const dimensions = unique(splitList(config.PULSE_FORECAST_WATCH_DIMENSIONS)).filter((d) => d !== DIMENSION_ALL);
  for (const value of dimensions) {
    const problem = dimensionProblem(value);
    if (problem) problems.push(`PULSE_FORECAST_WATCH_DIMENSIONS: "${value}": ${problem}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    granularities: granularities as Granularity[],
    metrics: metrics as Metric[],
    dimensions,
  };
}

export function historyWindows(config: Readonly<ForecastConfig>, granularity: Granularity): number {
  return {
    '1m': config.PULSE_FORECAST_HISTORY_WINDOWS_1M,
    '1h': config.PULSE_FORECAST_HISTORY_WINDOWS_1H,
    '1d': config.PULSE_FORECAST_HISTORY_WINDOWS_1D,
  }[granularity];
}

/** Loads and checks the configuration (lists included), so a bad value stops the service at start. */
export function loadForecastConfig(env: NodeJS.ProcessEnv = process.env): Readonly<ForecastConfig> {
  const config = loadConfig(ForecastConfigSchema, env);
  watchListsOf(config);
  return config;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
