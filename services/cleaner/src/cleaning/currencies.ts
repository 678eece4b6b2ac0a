import currencyCodes from 'currency-codes';

import { stripInvisible } from './text.js';

export interface Currency {
  /** ISO 4217 alphabetic code, e.g. `GBP` */
  code: string;
  /** ISO 4217 minor-unit digits: JPY 0, GBP 2, KWD 3, CLF 4 */
  exponent: number;
}

/**
 * ISO 4217 codes that are not money a shop prices in: precious metals, bond-market units, the SDR
 * and other units of account, the testing code and "no currency". A price in them is refused.
 */
const NOT_MONEY = new Set(['XAG', 'XAU', 'XPD', 'XPT', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XSU', 'XUA', 'XTS', 'XXX']);

const CURRENCIES: ReadonlyMap<string, Currency> = new Map(
  currencyCodes.data
    .filter((record) => !NOT_MONEY.has(record.code) && Number.isInteger(record.digits))
    .map((record) => [record.code, { code: record.code, exponent: record.digits }]),
);

/** `" gbp "` → GBP with its exponent; unknown or non-money codes → undefined. */
export function lookupCurrency(value: unknown): Currency | undefined {
  if (typeof value !== 'string') return undefined;
  return CURRENCIES.get(stripInvisible(value).trim().toUpperCase());
}
