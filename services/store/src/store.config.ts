import { CassandraSettings, loadConfig, NatsSettings, PartitionSettings, ShutdownSettings } from '@pulse/config';
import { StreamSettings } from '@pulse/messaging';

import { Type, type Static } from '@sinclair/typebox';

export const StoreConfigSchema = Type.Object({
  ...NatsSettings,
  ...StreamSettings,
  ...CassandraSettings,
  ...ShutdownSettings,
  /** P, as the aggregator has it: a window is settled once all P partitions wrote it closed. */
  ...PartitionSettings,
  PULSE_STORE_HTTP_PORT: Type.Integer({ default: 8083, minimum: 1, maximum: 65535 }),
  PULSE_STORE_HOST: Type.String({ default: '0.0.0.0' }),
  PULSE_STORE_GRPC_PORT: Type.Integer({ default: 50051, minimum: 1, maximum: 65535 }),
  PULSE_API_KEYS_FILE: Type.String({ minLength: 1 }),
  /**
   * Partials handed to the writer and not yet acknowledged. Larger than the write concurrency on
   * purpose: while writes queue, versions of the same row coalesce (only the newest is written).
   */
  PULSE_STORE_MAX_IN_FLIGHT: Type.Integer({ default: 4096, minimum: 1 }),
  /** Cassandra writes in flight at once. */
  PULSE_STORE_WRITE_CONCURRENCY: Type.Integer({ default: 64, minimum: 1 }),
  /** Apply pending migrations at start-up; the Helm chart sets false because its hook Job owns them. */
  PULSE_STORE_MIGRATE_ON_START: Type.Boolean({ default: true }),
  /** Retention of 1-minute windows (days); hour and day windows keep 400 days and 5 years. */
  PULSE_STORE_MINUTE_TTL_DAYS: Type.Integer({ default: 14, minimum: 1 }),
  /**
   * Partial rows whose last written version the store remembers (≈ 150 B each), to skip writing a
   * partial it already wrote the same or a newer version of (aggregator replays). 0 turns it off.
   */
  PULSE_STORE_VERSION_CACHE_ROWS: Type.Integer({ default: 100_000, minimum: 0 }),
  /** Query API: values one response may carry (series windows × metrics, breakdown rows × metrics). */
  PULSE_STORE_MAX_POINTS: Type.Integer({ default: 10_000, minimum: 1, maximum: 1_000_000 }),
  /** Query API: windows one query may read (a clustering range or one Cassandra partition each). */
  PULSE_STORE_MAX_WINDOWS: Type.Integer({ default: 10_000, minimum: 1, maximum: 50_000 }),
  /** Query API: the longest a query may run when the caller's deadline is later or absent. */
  PULSE_STORE_QUERY_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100 }),
  /**
   * Query API: MiB of merged values of settled windows (closed in all P partitions, so they never
   * change) kept in process for series queries; least recently used series evicted first. 0 = off.
   */
  PULSE_STORE_SETTLED_CACHE_MB: Type.Integer({ default: 64, minimum: 0, maximum: 65_536 }),
});
export type StoreConfig = Static<typeof StoreConfigSchema>;

/** What the schema migration needs: only Cassandra (the Helm pre-install/upgrade Job runs with this). */
export const CassandraConfigSchema = Type.Object({ ...CassandraSettings });
export type CassandraConfig = Static<typeof CassandraConfigSchema>;

export function loadCassandraConfig(env: NodeJS.ProcessEnv = process.env): Readonly<CassandraConfig> {
  return loadConfig(CassandraConfigSchema, env);
}
export const STORE_CONFIG = Symbol('STORE_CONFIG');

export function loadStoreConfig(env: NodeJS.ProcessEnv = process.env): Readonly<StoreConfig> {
  return loadConfig(StoreConfigSchema, env);
}
