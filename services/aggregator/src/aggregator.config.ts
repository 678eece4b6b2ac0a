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
  /** How often changed windows are emitted (live windows reach dashboards this fast). */
  PULSE_AGGREGATOR_EMIT_INTERVAL_MS: Type.Integer({ default: 1000, minimum: 50 }),
  PULSE_AGGREGATOR_MAX_PENDING: Type.Integer({ default: 5000, minimum: 10 }),
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
