/** The demo's settings: its command-line options and the environment it gives the services. */
import { type ServiceName } from '@pulse/testing';

import { DEFAULT_DEMO_SHOP, type DemoShop } from './traffic/loadgen-args.js';

export const DEMO_TENANT = 'demo';
/** The cleaner's base currency in the demo (set explicitly below, so the dashboard's money is right). */
export const DEMO_CURRENCY = { code: 'EUR', exponent: 2 } as const;
/** The forecast panel's series: revenue per minute, an hour ahead. */
export const DEMO_FORECAST = { metric: 'revenue', granularity: '1m', horizon: 60 } as const;

/**
 * Allowed lateness in the demo: 30 s instead of 5 min, so a minute window closes 40 s after it
 * ends — the forecast starts at the current minute and an anomaly is reported a minute later.
 * The backfill is sent in time order and loadgen's late events are at most 60 s late, so a few of
 * them land in pulse.late: the dashboard shows them.
 */
export const DEMO_ALLOWED_LATENESS_MS = 30_000;

/**
 * History backfilled before live traffic: `auto` forecasts need 120 closed minute windows, so
 * 135 minutes leave a margin for the minutes still open; more only lengthens the start.
 */
export const DEFAULT_HISTORY_MINUTES = 135;

export interface DemoOptions {
  shop: DemoShop;
  historyMinutes: number;
  /** rate factor of the catch-up after the backfill; ≤ 1: no flash sale */
  flashSale: number;
}

export function parseDemoOptions(values: {
  rate?: string;
  'history-minutes'?: string;
  'flash-sale'?: string;
  seed?: string;
  'time-zone'?: string;
}): DemoOptions {
  const number = (name: string, text: string | undefined, fallback: number, min: number, max: number) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max)
      throw new Error(`--${name} must be a number from ${min} to ${max}, got "${text}"`);
    return value;
  };
  return {
    shop: {
      ...DEFAULT_DEMO_SHOP,
      rate: number('rate', values.rate, DEFAULT_DEMO_SHOP.rate, 0.1, 5_000),
      seed: Math.floor(number('seed', values.seed, DEFAULT_DEMO_SHOP.seed, 0, 2 ** 32 - 1)),
      timeZone: values['time-zone'] ?? DEFAULT_DEMO_SHOP.timeZone,
    },
    historyMinutes: number('history-minutes', values['history-minutes'], DEFAULT_HISTORY_MINUTES, 0, 2_880),
    flashSale: number('flash-sale', values['flash-sale'], 4, 0, 20),
  };
}

/** What the demo changes in the services' environment (LocalPlatform sets the rest). */
export function demoServiceEnv(): Partial<Record<ServiceName, Record<string, string>>> {
  const lateness = {
    PULSE_AGGREGATOR_ALLOWED_LATENESS_MS: String(DEMO_ALLOWED_LATENESS_MS),
    PULSE_AGGREGATOR_OUT_OF_ORDERNESS_MS: '10000',
  };
  return {
    // Batch publishing (JetStream fast ingest) takes the history backfill through about twice as fast.
    'ingest-gateway': { PULSE_INGEST_PUBLISH_MODE: 'batch' },
    cleaner: { PULSE_CLEANER_BASE_CURRENCY: DEMO_CURRENCY.code, PULSE_CLEANER_PUBLISH_MODE: 'batch' },
    aggregator: lateness,
    forecast: {
      ...lateness,
      // Minute windows, so that a demo that just started has enough history (120 windows for
      // `auto`); the whole shop's revenue and orders only — per-product minutes are too sparse.
      PULSE_FORECAST_WATCH_GRANULARITIES: DEMO_FORECAST.granularity,
      PULSE_FORECAST_WATCH_METRICS: 'revenue,orders',
      PULSE_FORECAST_WATCH_TOP_PRODUCTS: '0',
      PULSE_FORECAST_WATCH_INTERVAL_MS: '5000',
      // The first fit sees a store still taking in the backfill; refit every few minutes so the
      // forecast follows the history as it lands instead of keeping that first model for 24.
      PULSE_FORECAST_REFIT_AFTER_WINDOWS: '3',
      PULSE_FORECAST_REFIT_INTERVAL_MS: '180000',
    },
  };
}
