import { hashApiKey } from '@pulse/config';

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type ForecastConfig } from './forecast.config.js';

/**
 * Keys, key files and settings of the forecast service's integration tests. Test-only:
 * `*.fixture.ts` files are not built into dist.
 */
export const KEYS = { a: 'key-shop-a', b: 'key-shop-b', aIngestOnly: 'key-shop-a-ingest' } as const;

export const TENANT_OF_KEY: ReadonlyMap<string, string> = new Map([
  [KEYS.a, 'shop-a'],
  [KEYS.b, 'shop-b'],
  [KEYS.aIngestOnly, 'shop-a'],
]);

/** The API key file (hashes) and, when tenants are given, the watcher's key file. */
export function writeKeyFiles(watched: Array<'shop-a' | 'shop-b'> = []): {
  apiKeysFile: string;
  watchKeysFile: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-forecast-'));
  const apiKeysFile = join(dir, 'api-keys.json');
  writeFileSync(
    apiKeysFile,
    JSON.stringify({
      keys: [
        { tenant: 'shop-a', sha256: hashApiKey(KEYS.a), scopes: ['query'] },
        { tenant: 'shop-b', sha256: hashApiKey(KEYS.b) },
        { tenant: 'shop-a', sha256: hashApiKey(KEYS.aIngestOnly), scopes: ['ingest'] },
      ],
    }),
  );
  const watchKeysFile = watched.length > 0 ? join(dir, 'watch-keys.json') : '';
  if (watchKeysFile) {
    const keyOf = { 'shop-a': KEYS.a, 'shop-b': KEYS.b };
    writeFileSync(watchKeysFile, JSON.stringify({ keys: watched.map((tenant) => ({ tenant, key: keyOf[tenant] })) }));
  }
  return { apiKeysFile, watchKeysFile };
}

export function forecastTestConfig(
  overrides: Partial<ForecastConfig> & Pick<ForecastConfig, 'PULSE_NATS_URL'>,
): ForecastConfig {
  return {
    PULSE_STREAM_REPLICAS: 1,
    PULSE_STREAM_MAX_AGE_HOURS: 1,
    PULSE_STREAM_MAX_BYTES: -1,
    PULSE_STREAM_DUPLICATE_WINDOW_SECONDS: 120,
    PULSE_STREAM_DISCARD: 'new',
    PULSE_SHUTDOWN_TIMEOUT_MS: 5_000,
    PULSE_FORECAST_HOST: '127.0.0.1',
    PULSE_FORECAST_HTTP_PORT: 1,
    PULSE_FORECAST_GRPC_PORT: 1,
    PULSE_STORE_ADDR: '127.0.0.1:1',
    PULSE_API_KEYS_FILE: 'unset',
    PULSE_AGGREGATOR_ALLOWED_LATENESS_MS: 300_000,
    PULSE_AGGREGATOR_OUT_OF_ORDERNESS_MS: 10_000,
    PULSE_FORECAST_HISTORY_WINDOWS_1M: 2_880,
    PULSE_FORECAST_HISTORY_WINDOWS_1H: 1_344,
    PULSE_FORECAST_HISTORY_WINDOWS_1D: 730,
    PULSE_FORECAST_ABSENT_WINDOWS: 'gap',
    PULSE_FORECAST_STORE_TIMEOUT_MS: 5_000,
    PULSE_FORECAST_QUERY_TIMEOUT_MS: 60_000,
    PULSE_FORECAST_CACHE_MAX_MODELS: 100,
    PULSE_FORECAST_REFIT_INTERVAL_MS: 86_400_000,
    PULSE_FORECAST_REFIT_AFTER_WINDOWS: 24,
    PULSE_FORECAST_WATCH_KEYS_FILE: '',
    // The tests tick the watcher themselves (on a simulated clock); the timer never fires in a run.
    PULSE_FORECAST_WATCH_INTERVAL_MS: 3_600_000,
    PULSE_FORECAST_WATCH_GRANULARITIES: '1h',
    PULSE_FORECAST_WATCH_METRICS: 'revenue,orders',
    PULSE_FORECAST_WATCH_TOP_PRODUCTS: 5,
    PULSE_FORECAST_WATCH_DIMENSIONS: '',
    PULSE_FORECAST_WATCH_CATCH_UP_WINDOWS: 6,
    PULSE_FORECAST_WATCH_CLOSE_WAIT_MS: 900_000,
    ...overrides,
  };
}
