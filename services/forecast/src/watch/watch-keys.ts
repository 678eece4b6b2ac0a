import { ApiKeyRegistry, ConfigError } from '@pulse/config';

import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Ajv } from 'ajv';

/** A tenant the watcher watches, and the key it reads the tenant's series with. */
export interface WatchTenant {
  readonly tenant: string;
  readonly apiKey: string;
}

const VARIABLE = 'PULSE_FORECAST_WATCH_KEYS_FILE';

const WatchKeysFileSchema = Type.Object({
  keys: Type.Array(Type.Object({ tenant: Type.String(), key: Type.String({ minLength: 1 }) }), { minItems: 1 }),
});
const validateFile = new Ajv({ allErrors: true }).compile<Static<typeof WatchKeysFileSchema>>(WatchKeysFileSchema);

/**
 * The tenants to watch from `{"keys":[{"tenant":"demo","key":"<API key>"}]}`. Each key must be a
 * `query` key of its tenant in the API key registry (the store checks it on every read anyway);
 * a tenant listed twice, an unknown key or a key of another tenant stops the service at start.
 * Messages never show a key.
 */
export function parseWatchKeys(body: unknown, registry: ApiKeyRegistry, source: string): WatchTenant[] {
  if (!validateFile(body)) {
    const details = (validateFile.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    throw new ConfigError([`${VARIABLE}: ${source} is not a valid watch key file: ${details}`]);
  }
  const problems: string[] = [];
  const tenants: WatchTenant[] = [];
  body.keys.forEach(({ tenant, key }, i) => {
    const auth = registry.authenticate(key, 'query');
    if (!auth.ok || auth.tenant !== tenant) {
      problems.push(`${VARIABLE}: keys[${i}] is not a query key of tenant "${tenant}" in PULSE_API_KEYS_FILE`);
    } else if (tenants.some((watched) => watched.tenant === tenant)) {
      problems.push(`${VARIABLE}: tenant "${tenant}" is listed twice`);
    } else {
      tenants.push({ tenant, apiKey: key });
    }
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return tenants;
}

export function loadWatchTenants(path: string, registry: ApiKeyRegistry): WatchTenant[] {
  let body: unknown;
  try {
    body = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError([`${VARIABLE}: cannot read ${path}: ${(error as Error).message}`]);
  }
  return parseWatchKeys(body, registry, path);
}

/** Tenants of the API key file (already validated by ApiKeyRegistry.fromFile), for the start-up log. */
export function registryTenants(apiKeysFile: string): string[] {
  const body = JSON.parse(readFileSync(apiKeysFile, 'utf8')) as { keys: Array<{ tenant: string }> };
  return [...new Set(body.keys.map((entry) => entry.tenant))].sort();
}
