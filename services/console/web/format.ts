const integer = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const money = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 });

/** Money is integer minor units of the tenant's base currency inside Pulse; shown in major units. */
export const formatMoney = (minor: number): string => money.format(minor / 100);
export const formatCount = (value: number): string => integer.format(value);
export const formatPercent = (value: number): string => percent.format(value);
export const formatTime = (ms: number): string => new Date(ms).toISOString().slice(11, 16) + ' UTC';
export const formatClock = (ms: number): string => new Date(ms).toISOString().slice(11, 19) + ' UTC';

/** `product:SKU-1` → `SKU-1`; the overflow bucket gets a readable name. */
export function dimensionLabel(dimension: string): string {
  const value = dimension.slice(dimension.indexOf(':') + 1);
  return value === '__other__' ? '(others)' : value;
}
