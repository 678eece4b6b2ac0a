import { ConfigError, loadConfig, NatsSettings, PartitionSettings, ShutdownSettings } from '@pulse/config';
import { StreamSettings } from '@pulse/messaging';

import { Type, type Static } from '@sinclair/typebox';

export const AggregatorConfigSchema = Type.Object({
  ...NatsSettings,
  ...StreamSettings,
  ...PartitionSettings,
  ...ShutdownSettings,
  PULSE_AGGREGATOR_HTTP_PORT: Type.Integer({ default: 8082, minimum: 1, maximum: 65535 }),
  PULSE_AGGREGATOR_HOST: Type.String({ default: '0.0.0.0' }),
  /** This replica's index i (the StatefulSet ordinal); it owns partitions p with p mod R = i. */
  PULSE_AGGREGATOR_REPLICA_INDEX: Type.Integer({ default: 0, minimum: 0 }),
  PULSE_AGGREGATOR_REPLICAS: Type.Integer({ default: 1, minimum: 1 }),
  /**
   * How partitions find their owner: `static` (p mod REPLICAS = REPLICA_INDEX, nothing moves while
   * a replica is down) or `lease` (leases in a JetStream KV bucket: a dead or paused replica's
   * partitions move to the survivors within PULSE_AGGREGATOR_LEASE_MS and move back when it
   * returns; REPLICAS and REPLICA_INDEX are then ignored).
   */
  PULSE_AGGREGATOR_ASSIGNMENT: Type.Union([Type.Literal('static'), Type.Literal('lease')], { default: 'static' }),
  /** Lease mode: a replica not heard from for this long loses its partitions to the others. */
  PULSE_AGGREGATOR_LEASE_MS: Type.Integer({ default: 10_000, minimum: 1_000 }),
  /** Lease mode: this replica's member id (default: host name and process id). */
  PULSE_AGGREGATOR_MEMBER_ID: Type.String({ default: '', pattern: '^[a-zA-Z0-9_-]*$' }),
  PULSE_AGGREGATOR_LEASE_BUCKET: Type.String({ default: 'pulse-aggregator-leases', pattern: '^[a-zA-Z0-9_-]+$' }),
  /** How often changed windows are emitted (live windows reach dashboards this fast). */
  PULSE_AGGREGATOR_EMIT_INTERVAL_MS: Type.Integer({ default: 1000, minimum: 50 }),
  /**
   * Hour and day rows change with every event and carry the largest sketches, so they are emitted
   * at this slower interval (closed windows are always emitted at once).
   */
  PULSE_AGGREGATOR_COARSE_EMIT_INTERVAL_MS: Type.Integer({ default: 5000, minimum: 50 }),
  /** How often partition state is checkpointed: a restart replays at most this much of the stream. */
  PULSE_AGGREGATOR_CHECKPOINT_INTERVAL_MS: Type.Integer({ default: 5000, minimum: 100 }),
  /** Watermark = max event time − this: how far out of order events may arrive and still be on time. */
  PULSE_AGGREGATOR_OUT_OF_ORDERNESS_MS: Type.Integer({ default: 10_000, minimum: 0 }),
  /** Windows stay open this long past their end (by watermark); later events go to pulse.late.<tenant>. */
  PULSE_AGGREGATOR_ALLOWED_LATENESS_MS: Type.Integer({ default: 300_000, minimum: 0 }),
  /** A partition without messages this long advances its event clock by the wall time that passed. */
  PULSE_AGGREGATOR_IDLE_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 1000 }),
  /** Distinct values per dimension kind per window; more fold into `<kind>:__other__`. */
  PULSE_AGGREGATOR_MAX_VALUES_PER_KIND: Type.Integer({ default: 5000, minimum: 1 }),
  /** Messages pulled per request from the clean stream. */
  PULSE_AGGREGATOR_PULL_BATCH: Type.Integer({ default: 1000, minimum: 10, maximum: 10_000 }),
  PULSE_AGGREGATOR_CHECKPOINT_BUCKET: Type.String({ default: 'pulse-aggregator', pattern: '^[a-zA-Z0-9_-]+$' }),
});
export type AggregatorConfig = Static<typeof AggregatorConfigSchema>;
export const AGGREGATOR_CONFIG = Symbol('AGGREGATOR_CONFIG');

export function loadAggregatorConfig(env: NodeJS.ProcessEnv = process.env): Readonly<AggregatorConfig> {
  const config = loadConfig(AggregatorConfigSchema, env);
  if (config.PULSE_AGGREGATOR_REPLICA_INDEX >= config.PULSE_AGGREGATOR_REPLICAS) {
    throw new ConfigError([
      `PULSE_AGGREGATOR_REPLICA_INDEX (${config.PULSE_AGGREGATOR_REPLICA_INDEX}) must be below PULSE_AGGREGATOR_REPLICAS (${config.PULSE_AGGREGATOR_REPLICAS})`,
    ]);
  }
  return config;
}
