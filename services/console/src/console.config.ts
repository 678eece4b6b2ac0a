import { loadConfig, NatsSettings, ShutdownSettings } from '@pulse/config';

import { Type, type Static } from '@sinclair/typebox';

export const ConsoleConfigSchema = Type.Object({
  ...NatsSettings,
  ...ShutdownSettings,
  PULSE_CONSOLE_HOST: Type.String({ default: '0.0.0.0' }),
  PULSE_CONSOLE_HTTP_PORT: Type.Integer({ default: 8085, minimum: 1, maximum: 65535 }),
  /** The store's MetricsService (the same variable the forecast service reads). */
  PULSE_STORE_ADDR: Type.String({ default: '127.0.0.1:50051', minLength: 1 }),
  /** The forecast service's ForecastService (forecast bands and alerts). */
  PULSE_FORECAST_ADDR: Type.String({ default: '127.0.0.1:50052', minLength: 1 }),
  /** The store's key file (hashes only): a browser's key names its tenant before any query is made. */
  PULSE_API_KEYS_FILE: Type.String({ minLength: 1 }),
  /** How often each open tenant's dashboard is re-read; a snapshot is pushed only when it changed. */
  PULSE_CONSOLE_REFRESH_MS: Type.Integer({ default: 1_000, minimum: 200, maximum: 60_000 }),
  /** How often the forecast bands are re-read (a forecast changes at most once a closed window). */
  PULSE_CONSOLE_FORECAST_REFRESH_MS: Type.Integer({ default: 30_000, minimum: 1_000 }),
  /** Minutes of 1-minute windows the overview charts show. */
  PULSE_CONSOLE_WINDOW_MINUTES: Type.Integer({ default: 60, minimum: 5, maximum: 1_440 }),
  /** Alerts listed on the page (newest first) and read back at a feed's start (hours). */
  PULSE_CONSOLE_ALERTS_SHOWN: Type.Integer({ default: 50, minimum: 1, maximum: 1_000 }),
  PULSE_CONSOLE_ALERTS_LOOKBACK_HOURS: Type.Integer({ default: 24, minimum: 1, maximum: 720 }),
  /** Live streams (browser tabs) served at once; more are refused with 503. */
  PULSE_CONSOLE_MAX_STREAMS: Type.Integer({ default: 200, minimum: 1 }),
  /** Deadline of each query the console makes to the store or the forecast service. */
  PULSE_CONSOLE_QUERY_TIMEOUT_MS: Type.Integer({ default: 5_000, minimum: 100 }),
  /** Where the built page is (index.html, app.js, app.css); empty: the web/ folder beside the build. */
  PULSE_CONSOLE_WEB_DIR: Type.String({ default: '' }),
});
export type ConsoleConfig = Static<typeof ConsoleConfigSchema>;

export const CONSOLE_CONFIG = Symbol('CONSOLE_CONFIG');

export function loadConsoleConfig(env: NodeJS.ProcessEnv = process.env): Readonly<ConsoleConfig> {
  return loadConfig(ConsoleConfigSchema, env);
}
