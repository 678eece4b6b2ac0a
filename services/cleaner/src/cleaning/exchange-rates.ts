import { lookupCurrency } from './currencies.js';

/** A positive decimal rate held exactly: value = numerator / 10^scale. */
interface ExactRate {
  numerator: bigint;
  scale: bigint;
}

/**
 * Configured exchange rates, all against one quote currency: `rates.get('GBP')` is what one GBP is
 * worth in `quote`. Any pair converts through the quote (cross rate), so one table serves every
 * tenant's base currency.
 */
export interface RateTable {
  quote: string;
  /** Date the rates were taken, as the file states it (shown in logs and docs, not interpreted). */
  asOf?: string;
  rates: ReadonlyMap<string, ExactRate>;
}

export type RateTableResult = { ok: true; table: RateTable } | { ok: false; problems: string[] };

const RATE_TEXT = /^\d{1,12}(\.\d{1,12})?$/;

function exactRate(value: unknown): ExactRate | undefined {
  const text = typeof value === 'number' && Number.isFinite(value) ? value.toString() : value;
  if (typeof text !== 'string' || !RATE_TEXT.test(text)) return undefined;
  const [whole, fraction = ''] = text.split('.');
  const rate = { numerator: BigInt(whole + fraction), scale: BigInt(fraction.length) };
  return rate.numerator > 0n ? rate : undefined;
}

/**
 * The rates file: `{"quote":"EUR","as_of":"2026-01-02","rates":{"EUR":"1","GBP":"1.17",...}}`.
 * Every code must be an ISO 4217 currency, every rate a positive decimal (a string keeps it exact),
 * and the quote's own rate 1. Reports every problem at once.
 */
export function parseRateTable(json: unknown): RateTableResult {
  const problems: string[] = [];
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, problems: ['must be a JSON object with "quote" and "rates"'] };
  }
  const file = json as Record<string, unknown>;
  const quote = lookupCurrency(file.quote);
  if (!quote) problems.push('"quote" must be an ISO 4217 currency code');
  if (file.as_of !== undefined && typeof file.as_of !== 'string') problems.push('"as_of" must be a string');
  const rawRates = file.rates;
  const rates = new Map<string, ExactRate>();
  if (typeof rawRates !== 'object' || rawRates === null || Array.isArray(rawRates)) {
    problems.push('"rates" must be an object of currency code → rate');
  } else {
    for (const [code, value] of Object.entries(rawRates)) {
      const currency = lookupCurrency(code);
      const rate = exactRate(value);
      if (!currency || currency.code !== code) problems.push(`rates.${code}: not an ISO 4217 currency code`);
      else if (!rate) problems.push(`rates.${code}: must be a positive decimal such as "1.17"`);
      else rates.set(code, rate);
    }
  }
  if (quote) {
    const own = rates.get(quote.code);
    if (own && own.numerator !== 10n ** own.scale)
      problems.push(`rates.${quote.code}: the quote currency's rate must be 1`);
    rates.set(quote.code, { numerator: 1n, scale: 0n });
  }
  if (problems.length > 0 || !quote) return { ok: false, problems };
  const table: RateTable = { quote: quote.code, rates };
  if (typeof file.as_of === 'string') table.asOf = file.as_of;
  return { ok: true, table };
}

export type ConversionResult =
  { ok: true; minor: number } | { ok: false; problem: 'missing_rate' | 'out_of_range'; detail: string };

/**
 * `amountMinor` of `from` → minor units of `to`, exactly: amount × 10^(e_to − e_from) × rate(from) /
 * rate(to) in BigInt, rounded half up once at the end. A currency missing from the table is an
 * error, never a guess.
 */
export function convertMinor(amountMinor: number, from: string, to: string, table: RateTable): ConversionResult {
  const source = lookupCurrency(from);
  const target = lookupCurrency(to);
  if (!source || !target)
    return { ok: false, problem: 'missing_rate', detail: `${from} → ${to}: not both ISO 4217 currencies` };
  if (source.code === target.code) return { ok: true, minor: amountMinor };
  const fromRate = table.rates.get(source.code);
  const toRate = table.rates.get(target.code);
  if (!fromRate || !toRate) {
    const missing = [fromRate ? undefined : source.code, toRate ? undefined : target.code].filter(Boolean).join(', ');
    return { ok: false, problem: 'missing_rate', detail: `no exchange rate for ${missing} in the rate table` };
  }
  const numerator = BigInt(amountMinor) * fromRate.numerator * 10n ** (BigInt(target.exponent) + toRate.scale);
  const denominator = toRate.numerator * 10n ** (BigInt(source.exponent) + fromRate.scale);
  const minor = (2n * numerator + denominator) / (2n * denominator);
  if (minor > BigInt(Number.MAX_SAFE_INTEGER))
    return { ok: false, problem: 'out_of_range', detail: 'converted amount is too large' };
  return { ok: true, minor: Number(minor) };
}
