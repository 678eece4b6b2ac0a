/**
 * Where the simulated shoppers are: each market is a country with its currency, its share of the
 * sessions, and the names a shop's export uses for it instead of the ISO code (the cleaner maps
 * them back, docs/cleaning.md rows 42–43). Every currency here is in the cleaner's local rate table.
 */
export interface Market {
  /** ISO 3166-1 alpha-2 */
  country: string;
  /** names sent instead of the code, as shop exports do */
  names: readonly string[];
  /** ISO 4217 */
  currency: string;
  /** minor-unit digits of the currency */
  exponent: number;
  /** what one unit of the currency is worth in EUR (for local price points; not the cleaner's table) */
  eurPerUnit: number;
  /** share of sessions */
  share: number;
}

export const MARKETS: readonly Market[] = [
  { country: 'GB', names: ['United Kingdom', 'UK'], currency: 'GBP', exponent: 2, eurPerUnit: 1.14, share: 0.3 },
  { country: 'DE', names: ['Germany'], currency: 'EUR', exponent: 2, eurPerUnit: 1, share: 0.18 },
  { country: 'FR', names: ['France'], currency: 'EUR', exponent: 2, eurPerUnit: 1, share: 0.1 },
  { country: 'NL', names: ['Netherlands', 'Holland'], currency: 'EUR', exponent: 2, eurPerUnit: 1, share: 0.06 },
  { country: 'IE', names: ['EIRE', 'Ireland'], currency: 'EUR', exponent: 2, eurPerUnit: 1, share: 0.04 },
  { country: 'US', names: ['USA', 'United States'], currency: 'USD', exponent: 2, eurPerUnit: 0.867, share: 0.17 },
  { country: 'JP', names: ['Japan'], currency: 'JPY', exponent: 0, eurPerUnit: 0.00564, share: 0.05 },
  { country: 'CH', names: ['Switzerland'], currency: 'CHF', exponent: 2, eurPerUnit: 1.075, share: 0.04 },
  { country: 'SE', names: ['Sweden'], currency: 'SEK', exponent: 2, eurPerUnit: 0.0915, share: 0.06 },
];

export const CHANNELS: ReadonlyArray<readonly [string, number]> = [
  ['web', 0.55],
  ['ios', 0.27],
  ['android', 0.18],
];

export const USER_AGENTS: Readonly<Record<string, string>> = {
  web: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
  ios: 'PulseShop/4.2 (iPhone; iOS 17.4)',
  android: 'PulseShop/4.2 (Linux; Android 14)',
};

/** A unit price in the market's currency, as a shop would set it: converted, then a .99 / round-10 price point. */
export function localPriceMinor(basePriceEurMinor: number, market: Market): number {
  const major = basePriceEurMinor / 100 / market.eurPerUnit;
  if (market.exponent === 0) return Math.max(10, Math.round(major / 10) * 10);
  const scale = 10 ** market.exponent;
  return Math.max(scale - 1, Math.floor(major) * scale + scale - 1);
}

/** Minor units as the decimal string a shop sends: 1299, 2 → "12.99"; 1300, 0 → "1300". */
export function formatMinor(minor: number, exponent: number): string {
  if (exponent === 0) return String(minor);
  const text = String(minor).padStart(exponent + 1, '0');
  return `${text.slice(0, -exponent)}.${text.slice(-exponent)}`;
}
