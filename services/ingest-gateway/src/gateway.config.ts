import { loadConfig, NatsSettings, ShutdownSettings } from '@pulse/config';
import { StreamSettings } from '@pulse/messaging';

import { Type, type Static } from '@sinclair/typebox';

export const GatewayConfigSchema = Type.Object({
  ...NatsSettings,
  ...StreamSettings,
  ...ShutdownSettings,
  PULSE_INGEST_HOST: Type.String({ default: '0.0.0.0' }),
  PULSE_INGEST_HTTP_PORT: Type.Integer({ default: 8080, minimum: 1, maximum: 65535 }),
  PULSE_API_KEYS_FILE: Type.String({ minLength: 1, description: 'JSON file of {tenant, sha256} entries' }),
  PULSE_INGEST_MAX_BODY_BYTES: Type.Integer({ default: 5 * 1024 * 1024, minimum: 1024 }),
  PULSE_INGEST_MAX_BATCH: Type.Integer({ default: 1000, minimum: 1, maximum: 100_000 }),
});
export type GatewayConfig = Static<typeof GatewayConfigSchema>;

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): Readonly<GatewayConfig> {
  return loadConfig(GatewayConfigSchema, env);
}
