import { type CleanerConfig, type CleanerSettings } from '../cleaner.config.js';
import { parseRateTable } from './exchange-rates.js';

/**
 * Cleaner settings for the shell's unit tests (one key, EUR base, the rates given against EUR).
 * Test-only: `*.fixture.ts` files are not built into dist.
 */
export function cleanerTestSettings(options: {
  secret: string;
  maxDeliver: number;
  rates: Record<string, string>;
}): CleanerSettings {
  const key = { id: 'k1', secret: options.secret };
  const rates = parseRateTable({ quote: 'EUR', rates: options.rates });
  if (!rates.ok) throw new Error('test rate table');
  return {
    env: {
      PULSE_PARTITIONS: 16,
      PULSE_CLEANER_MAX_DELIVER: options.maxDeliver,
      PULSE_CLEANER_MAX_FUTURE_SKEW_MS: 86_400_000,
    } as CleanerConfig,
    keyring: { active: key, keys: new Map([['k1', key]]) },
    defaultBaseCurrency: 'EUR',
    tenantBaseCurrencies: new Map(),
    rates: rates.table,
  };
}
