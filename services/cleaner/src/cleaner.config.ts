import { ConfigError, loadConfig, NatsSettings, PartitionSettings, ShutdownSettings } from '@pulse/config';
import { TENANT_ID_PATTERN } from '@pulse/contracts';
import { StreamSettings } from '@pulse/messaging';

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';

import { lookupCurrency } from './cleaning/currencies.js';
import { parseRateTable, type RateTable } from './cleaning/exchange-rates.js';
import { KEY_ID_PATTERN, MIN_SECRET_LENGTH, parsePseudonymKeyring, type PseudonymKeyring } from './cleaning/privacy.js';

// Secrets are plain strings here and checked in code below: a schema constraint on them would
// make loadConfig echo the (wrong) secret in its error message.
export const CleanerConfigSchema = Type.Object({
  ...NatsSettings,
  ...StreamSettings,
  ...PartitionSettings,
  ...ShutdownSettings,
  PULSE_CLEANER_HTTP_PORT: Type.Integer({ default: 8081, minimum: 1, maximum: 65535 }),
  PULSE_CLEANER_HOST: Type.String({ default: '0.0.0.0' }),
  /** `k1:<secret>,k2:<secret>`: HMAC keys for user-id pseudonyms (a Secret in production). */
  PULSE_CLEANER_PSEUDONYM_KEYS: Type.Optional(Type.String()),
  /** Id of the key new pseudonyms use; may be left out when there is one key. */
  PULSE_CLEANER_PSEUDONYM_ACTIVE_KEY: Type.Optional(Type.String()),
  /** Single-key form kept for existing deployments: the secret, and its id (default k1). */
  PULSE_CLEANER_PSEUDONYM_KEY: Type.Optional(Type.String()),
  PULSE_CLEANER_PSEUDONYM_KEY_ID: Type.Optional(Type.String()),
  /** ISO 4217 code amounts are converted to, unless the tenant has its own. */
  PULSE_CLEANER_BASE_CURRENCY: Type.String({ default: 'EUR' }),
  /** Per-tenant base currencies: `acme:USD,corner-shop:GBP`. */
  PULSE_CLEANER_TENANT_BASE_CURRENCIES: Type.Optional(Type.String()),
  /** JSON rate table (docs/cleaning.md); a relative path is resolved against the working directory. */
  PULSE_CLEANER_RATES_FILE: Type.String({ default: 'services/cleaner/rates.local.json' }),
  /** How far ahead of the cleaner's clock an event time may be before it is refused. */
  PULSE_CLEANER_MAX_FUTURE_SKEW_MS: Type.Integer({ default: 86_400_000, minimum: 0 }),
  /** `per-event` (one publish + ack per clean event) or `batch` (JetStream fast-ingest micro-batches). */
  PULSE_CLEANER_PUBLISH_MODE: Type.Union([Type.Literal('per-event'), Type.Literal('batch')], { default: 'per-event' }),
  PULSE_CLEANER_MAX_IN_FLIGHT: Type.Integer({ default: 512, minimum: 1 }),
  PULSE_CLEANER_MAX_DELIVER: Type.Integer({ default: 5, minimum: 1 }),
});
export type CleanerConfig = Static<typeof CleanerConfigSchema>;

/** The validated environment plus what it points at: the keyring, the base currencies and the rates. */
export interface CleanerSettings {
  env: Readonly<CleanerConfig>;
  keyring: PseudonymKeyring;
  defaultBaseCurrency: string;
  tenantBaseCurrencies: ReadonlyMap<string, string>;
  rates: RateTable;
}
export const CLEANER_SETTINGS = Symbol('CLEANER_SETTINGS');

export function baseCurrencyOf(settings: CleanerSettings, tenant: string): string {
  return settings.tenantBaseCurrencies.get(tenant) ?? settings.defaultBaseCurrency;
}

function keyringFrom(env: Readonly<CleanerConfig>, problems: string[]): PseudonymKeyring | undefined {
  const keys = env.PULSE_CLEANER_PSEUDONYM_KEYS;
  const legacy = env.PULSE_CLEANER_PSEUDONYM_KEY;
  if (keys !== undefined && legacy !== undefined) {
    problems.push('PULSE_CLEANER_PSEUDONYM_KEY: set either it or PULSE_CLEANER_PSEUDONYM_KEYS, not both');
    return undefined;
  }
  if (keys !== undefined) {
    const parsed = parsePseudonymKeyring(keys, env.PULSE_CLEANER_PSEUDONYM_ACTIVE_KEY, 'PULSE_CLEANER_PSEUDONYM_KEYS');
    if (!parsed.ok) problems.push(...parsed.problems);
    return parsed.ok ? parsed.keyring : undefined;
  }
  if (legacy !== undefined) {
    const id = env.PULSE_CLEANER_PSEUDONYM_KEY_ID ?? 'k1';
    const before = problems.length;
    if (!KEY_ID_PATTERN.test(id))
      problems.push(`PULSE_CLEANER_PSEUDONYM_KEY_ID: must be 1–8 of [a-z0-9] (got "${id}")`);
    if (legacy.length < MIN_SECRET_LENGTH) {
      problems.push(`PULSE_CLEANER_PSEUDONYM_KEY: shorter than ${MIN_SECRET_LENGTH} characters`);
    }
    if (problems.length > before) return undefined;
    const key = { id, secret: legacy };
    return { active: key, keys: new Map([[id, key]]) };
  }
  problems.push(
    'PULSE_CLEANER_PSEUDONYM_KEYS: required (k1:<secret>,k2:<secret>; or the single PULSE_CLEANER_PSEUDONYM_KEY)',
  );
  return undefined;
}

function tenantBasesFrom(spec: string | undefined, problems: string[]): Map<string, string> {
  const bases = new Map<string, string>();
  const variable = 'PULSE_CLEANER_TENANT_BASE_CURRENCIES';
  for (const entry of (spec ?? '').split(',').map((part) => part.trim())) {
    if (entry.length === 0) continue;
    const [tenant, code, ...rest] = entry.split(':').map((part) => part.trim());
    const currency = lookupCurrency(code);
    if (rest.length > 0 || !TENANT_ID_PATTERN.test(tenant ?? '') || !currency) {
      problems.push(`${variable}: "${entry}" must be <tenant>:<ISO 4217 code>, e.g. acme:USD`);
    } else if (bases.has(tenant)) {
      problems.push(`${variable}: tenant ${tenant} appears twice`);
    } else {
      bases.set(tenant, currency.code);
    }
  }
  return bases;
}

function ratesFrom(path: string, problems: string[]): RateTable | undefined {
  const variable = 'PULSE_CLEANER_RATES_FILE';
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(resolve(path), 'utf8'));
  } catch (error) {
    problems.push(`${variable}: cannot read rate table ${path}: ${(error as Error).message}`);
    return undefined;
  }
  const parsed = parseRateTable(json);
  if (!parsed.ok) problems.push(...parsed.problems.map((problem) => `${variable}: ${path}: ${problem}`));
  return parsed.ok ? parsed.table : undefined;
}

/**
 * Environment → settings, validated once at start-up. Every problem is reported together, each
 * naming its variable, and no secret is ever part of a message.
 */
export function loadCleanerSettings(env: NodeJS.ProcessEnv = process.env): Readonly<CleanerSettings> {
  const config = loadConfig(CleanerConfigSchema, env);
  const problems: string[] = [];
  const keyring = keyringFrom(config, problems);
  const defaultBase = lookupCurrency(config.PULSE_CLEANER_BASE_CURRENCY);
  if (!defaultBase) {
    problems.push(`PULSE_CLEANER_BASE_CURRENCY: "${config.PULSE_CLEANER_BASE_CURRENCY}" is not an ISO 4217 code`);
  }
  const tenantBases = tenantBasesFrom(config.PULSE_CLEANER_TENANT_BASE_CURRENCIES, problems);
  const rates = ratesFrom(config.PULSE_CLEANER_RATES_FILE, problems);
  if (rates) {
    const bases = new Map<string, string>();
    if (defaultBase) bases.set(defaultBase.code, 'PULSE_CLEANER_BASE_CURRENCY');
    for (const code of tenantBases.values()) bases.set(code, 'PULSE_CLEANER_TENANT_BASE_CURRENCIES');
    for (const [code, variable] of bases) {
      if (!rates.rates.has(code)) {
        problems.push(
          `${variable}: ${code} has no rate in PULSE_CLEANER_RATES_FILE (${config.PULSE_CLEANER_RATES_FILE})`,
        );
      }
    }
  }
  if (problems.length > 0 || !keyring || !defaultBase || !rates) throw new ConfigError(problems);
  return Object.freeze({
    env: config,
    keyring,
    defaultBaseCurrency: defaultBase.code,
    tenantBaseCurrencies: tenantBases,
    rates,
  });
}
