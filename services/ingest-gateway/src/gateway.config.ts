import { loadConfig, NatsSettings, ShutdownSettings } from '@pulse/config';
import { StreamSettings } from '@pulse/messaging';

import { Type, type Static } from '@sinclair/typebox';

export const GatewayConfigSchema = Type.Object({
  ...NatsSettings,
  ...StreamSettings,
  ...ShutdownSettings,
  PULSE_INGEST_HOST: Type.String({ default: '0.0.0.0' }),
  PULSE_INGEST_HTTP_PORT: Type.Integer({ default: 8080, minimum: 1, maximum: 65535 }),
  PULSE_INGEST_GRPC_PORT: Type.Integer({ default: 50050, minimum: 1, maximum: 65535 }),
  PULSE_API_KEYS_FILE: Type.String({ minLength: 1, description: 'JSON file of {tenant, sha256, scopes?} entries' }),
  /** Limit on the request body as received *and* after gzip decompression (zip bombs stop here). */
  PULSE_INGEST_MAX_BODY_BYTES: Type.Integer({ default: 5 * 1024 * 1024, minimum: 1024 }),
  PULSE_INGEST_MAX_BATCH: Type.Integer({ default: 1000, minimum: 1, maximum: 100_000 }),
  /** Tighten (never widen) the contract's size limits: ids, free text, attribute count. */
  PULSE_INGEST_MAX_ID_LENGTH: Type.Integer({ default: 256, minimum: 1, maximum: 256 }),
  PULSE_INGEST_MAX_TEXT_LENGTH: Type.Integer({ default: 1024, minimum: 4, maximum: 1024 }),
  PULSE_INGEST_MAX_ATTRIBUTES: Type.Integer({ default: 64, minimum: 1, maximum: 64 }),
  /** `per-event` (exact duplicate reporting) or `batch` (JetStream fast-ingest, faster); see raw-publisher.ts. */
  PULSE_INGEST_PUBLISH_MODE: Type.Union([Type.Literal('per-event'), Type.Literal('batch')], { default: 'per-event' }),
  PULSE_INGEST_PUBLISH_TIMEOUT_MS: Type.Integer({ default: 5_000, minimum: 100 }),
  /** Per tenant and gateway replica; 0 turns rate limiting off. */
  PULSE_INGEST_RATE_LIMIT_EVENTS_PER_SECOND: Type.Integer({ default: 20_000, minimum: 0 }),
  PULSE_INGEST_RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ default: 10, minimum: 1, maximum: 3600 }),
});
export type GatewayConfig = Static<typeof GatewayConfigSchema>;

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): Readonly<GatewayConfig> {
  return loadConfig(GatewayConfigSchema, env);
}
