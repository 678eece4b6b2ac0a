import { type StoreConfig } from './store.config.js';

/**
 * Store settings for integration tests: the test Cassandra (set by the Jest global setup), a
 * keyspace of the test's own. Test-only: `*.fixture.ts` files are not built into dist.
 */
export function storeTestConfig(keyspacePrefix: string, overrides: Partial<StoreConfig> = {}): StoreConfig {
  return {
    PULSE_NATS_URL: process.env.PULSE_NATS_URL ?? 'nats://127.0.0.1:14222',
    PULSE_STREAM_REPLICAS: 1,
    PULSE_STREAM_MAX_AGE_HOURS: 1,
    PULSE_STREAM_MAX_BYTES: -1,
    PULSE_STREAM_DUPLICATE_WINDOW_SECONDS: 120,
    PULSE_STREAM_DISCARD: 'new',
    PULSE_CASSANDRA_CONTACT_POINTS: process.env.PULSE_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:19042',
    PULSE_CASSANDRA_LOCAL_DC: process.env.PULSE_CASSANDRA_LOCAL_DC ?? 'datacenter1',
    PULSE_CASSANDRA_KEYSPACE: `${keyspacePrefix}_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`,
    PULSE_CASSANDRA_REPLICATION_FACTOR: 1,
    PULSE_SHUTDOWN_TIMEOUT_MS: 1000,
    PULSE_STORE_HTTP_PORT: 1,
    PULSE_STORE_HOST: '127.0.0.1',
    PULSE_STORE_GRPC_PORT: 1,
    PULSE_API_KEYS_FILE: 'unused',
    PULSE_STORE_MAX_IN_FLIGHT: 4,
    PULSE_STORE_WRITE_CONCURRENCY: 2,
    PULSE_STORE_MINUTE_TTL_DAYS: 1,
    PULSE_STORE_MIGRATE_ON_START: true,
    PULSE_STORE_VERSION_CACHE_ROWS: 0,
    PULSE_STORE_MAX_POINTS: 10_000,
    PULSE_STORE_MAX_WINDOWS: 10_000,
    PULSE_STORE_QUERY_TIMEOUT_MS: 10_000,
    PULSE_PARTITIONS: 16,
    PULSE_STORE_SETTLED_CACHE_MB: 64,
    ...overrides,
  };
}
