import { ConfigError } from '@pulse/config';

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { baseCurrencyOf, loadCleanerSettings } from './cleaner.config.js';

const SECRET_1 = 'first-secret-0123456789';
const SECRET_2 = 'second-secret-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'pulse-cleaner-config-'));

function ratesFile(content: unknown): string {
  const path = join(dir, `rates-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const eurRates = ratesFile({ quote: 'EUR', rates: { EUR: '1', GBP: '1.14', USD: '0.867' } });

function problemsOf(env: Record<string, string>): string {
  try {
    loadCleanerSettings({ PULSE_CLEANER_RATES_FILE: eurRates, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadCleanerSettings', () => {
  it('reads a keyring, the active key, base currencies and the rate table', () => {
    const settings = loadCleanerSettings({
      PULSE_CLEANER_PSEUDONYM_KEYS: `k1:${SECRET_1},k2:${SECRET_2}`,
      PULSE_CLEANER_PSEUDONYM_ACTIVE_KEY: 'k2',
      PULSE_CLEANER_TENANT_BASE_CURRENCIES: 'acme:usd, corner-shop:GBP',
      PULSE_CLEANER_RATES_FILE: eurRates,
    });
    expect(settings.keyring.active).toEqual({ id: 'k2', secret: SECRET_2 });
    expect([...settings.keyring.keys.keys()]).toEqual(['k1', 'k2']);
    expect(settings.defaultBaseCurrency).toBe('EUR');
    expect(baseCurrencyOf(settings, 'acme')).toBe('USD');
    expect(baseCurrencyOf(settings, 'corner-shop')).toBe('GBP');
    expect(baseCurrencyOf(settings, 'demo')).toBe('EUR');
    expect(settings.rates.quote).toBe('EUR');
    expect(settings.env.PULSE_CLEANER_MAX_FUTURE_SKEW_MS).toBe(86_400_000);
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it('still accepts the single-key variables of earlier releases', () => {
    const settings = loadCleanerSettings({ PULSE_CLEANER_PSEUDONYM_KEY: SECRET_1, PULSE_CLEANER_RATES_FILE: eurRates });
    expect(settings.keyring.active).toEqual({ id: 'k1', secret: SECRET_1 });
    const withId = loadCleanerSettings({
      PULSE_CLEANER_PSEUDONYM_KEY: SECRET_1,
      PULSE_CLEANER_PSEUDONYM_KEY_ID: 'k7',
      PULSE_CLEANER_RATES_FILE: eurRates,
    });
    expect(withId.keyring.active.id).toBe('k7');
  });

  it('loads the rate table shipped in the repository by default (run from the workspace root)', () => {
    const settings = loadCleanerSettings({ PULSE_CLEANER_PSEUDONYM_KEY: SECRET_1 });
    expect(settings.rates.rates.has('GBP')).toBe(true);
  });

  it.each([
    [{}, 'PULSE_CLEANER_PSEUDONYM_KEYS: required'],
    [{ PULSE_CLEANER_PSEUDONYM_KEYS: `k1:${SECRET_1}`, PULSE_CLEANER_PSEUDONYM_KEY: SECRET_2 }, 'not both'],
    [{ PULSE_CLEANER_PSEUDONYM_KEYS: `k1:${SECRET_1},k2:${SECRET_2}` }, 'PULSE_CLEANER_PSEUDONYM_ACTIVE_KEY: required'],
    [
      { PULSE_CLEANER_PSEUDONYM_KEYS: `k1:${SECRET_1}`, PULSE_CLEANER_PSEUDONYM_ACTIVE_KEY: 'k9' },
      '"k9" is not a key id',
    ],
    [{ PULSE_CLEANER_PSEUDONYM_KEYS: 'k1:too-short' }, 'PULSE_CLEANER_PSEUDONYM_KEYS: the secret of key k1'],
    [{ PULSE_CLEANER_PSEUDONYM_KEY: 'too-short' }, 'PULSE_CLEANER_PSEUDONYM_KEY: shorter than 16'],
    [
      { PULSE_CLEANER_PSEUDONYM_KEY: SECRET_1, PULSE_CLEANER_PSEUDONYM_KEY_ID: 'Key 1' },
      'PULSE_CLEANER_PSEUDONYM_KEY_ID',
    ],
    [{ PULSE_CLEANER_PSEUDONYM_KEY: SECRET_1, PULSE_CLEANER_BASE_CURRENCY: 'EURO' }, 'PULSE_CLEANER_BASE_CURRENCY'],
    [
      { PULSE_CLEANER_PSEUDONYM_KEY: SECRET_1, PULSE_CLEANER_BASE_CURRENCY: 'JPY' },
      'PULSE_CLEANER_BASE_CURRENCY: JPY has no rate',
    ],
    [
      { PULSE_CLEANER_PSEUDONYM_KEY: SECRET_1, PULSE_CLEANER_TENANT_BASE_CURRENCIES: 'acme:CHF' },
      'PULSE_CLEANER_TENANT_BASE_CURRENCIES: CHF has no rate',
    ],
    [
      { PULSE_CLEANER_PSEUDONYM_KEY: SECRET_1, PULSE_CLEANER_TENANT_BASE_CURRENCIES: 'Acme:USD' },
      'PULSE_CLEANER_TENANT_BASE_CURRENCIES: "Acme:USD" must be <tenant>:<ISO 4217 code>',
    ],
    [
      { PULSE_CLEANER_PSEUDONYM_KEY: SECRET_1, PULSE_CLEANER_TENANT_BASE_CURRENCIES: 'acme:USD,acme:GBP' },
      'tenant acme appears twice',
    ],
    [
      { PULSE_CLEANER_PSEUDONYM_KEY: SECRET_1, PULSE_CLEANER_RATES_FILE: join(dir, 'missing.json') },
      'PULSE_CLEANER_RATES_FILE: cannot read',
    ],
    [
      { PULSE_CLEANER_PSEUDONYM_KEY: SECRET_1, PULSE_CLEANER_RATES_FILE: ratesFile('{not json') },
      'PULSE_CLEANER_RATES_FILE: cannot read',
    ],
    [
      {
        PULSE_CLEANER_PSEUDONYM_KEY: SECRET_1,
        PULSE_CLEANER_RATES_FILE: ratesFile({ quote: 'EUR', rates: { GBP: 'x' } }),
      },
      'PULSE_CLEANER_RATES_FILE: ',
    ],
    [
      { PULSE_CLEANER_PSEUDONYM_KEY: SECRET_1, PULSE_CLEANER_MAX_FUTURE_SKEW_MS: '-1' },
      'PULSE_CLEANER_MAX_FUTURE_SKEW_MS',
    ],
  ])('refuses %j naming the variable', (env, message) => {
    expect(problemsOf(env)).toContain(message);
  });

  it('never puts a secret in its error message', () => {
    const message = problemsOf({
      PULSE_CLEANER_PSEUDONYM_KEYS: `k1:${SECRET_1},k2:short-secret`,
      PULSE_CLEANER_PSEUDONYM_ACTIVE_KEY: 'k2',
    });
    expect(message).toContain('k2');
    for (const secret of [SECRET_1, 'short-secret']) expect(message).not.toContain(secret);
    expect(problemsOf({ PULSE_CLEANER_PSEUDONYM_KEY: 'tiny-s3cr3t' })).not.toContain('tiny-s3cr3t');
  });

  it('reports every problem at once', () => {
    const message = problemsOf({ PULSE_CLEANER_BASE_CURRENCY: 'EURO', PULSE_CLEANER_TENANT_BASE_CURRENCIES: 'x' });
    expect(message).toContain('PULSE_CLEANER_PSEUDONYM_KEYS');
    expect(message).toContain('PULSE_CLEANER_BASE_CURRENCY');
    expect(message).toContain('PULSE_CLEANER_TENANT_BASE_CURRENCIES');
  });
});
