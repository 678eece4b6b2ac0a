import { loadConfig, NatsSettings, PartitionSettings, ShutdownSettings } from '@pulse/config';
import { StreamSettings } from '@pulse/messaging';

import { Type, type Static } from '@sinclair/typebox';

export const CleanerConfigSchema = Type.Object({
  ...NatsSettings,
  ...StreamSettings,
  ...PartitionSettings,
  ...ShutdownSettings,
  PULSE_CLEANER_HTTP_PORT: Type.Integer({ default: 8081, minimum: 1, maximum: 65535 }),
  PULSE_CLEANER_HOST: Type.String({ default: '0.0.0.0' }),
  /** HMAC key for user-id pseudonyms (a Secret in production). */
  PULSE_CLEANER_PSEUDONYM_KEY: Type.String({ minLength: 16 }),
  /** Id stored with each pseudonym so the key can be rotated. */
  PULSE_CLEANER_PSEUDONYM_KEY_ID: Type.String({ default: 'k1', pattern: '^[a-z0-9]{1,8}$' }),
  PULSE_CLEANER_MAX_IN_FLIGHT: Type.Integer({ default: 512, minimum: 1 }),
  PULSE_CLEANER_MAX_DELIVER: Type.Integer({ default: 5, minimum: 1 }),
});
export type CleanerConfig = Static<typeof CleanerConfigSchema>;
export const CLEANER_CONFIG = Symbol('CLEANER_CONFIG');

export function loadCleanerConfig(env: NodeJS.ProcessEnv = process.env): Readonly<CleanerConfig> {
  return loadConfig(CleanerConfigSchema, env);
}
