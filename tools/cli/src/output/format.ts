/** How the CLI shows values in tables (JSON output keeps them raw). */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatCount(value: number): string {
  return integer.format(value);
}

export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

/** Money metrics are integer minor units of the tenant's base currency. */
export const MONEY_METRICS = new Set(['revenue', 'refund_amount']);

/** `2026-11-24 10:05` (UTC) for minute and hour windows, `2026-11-24` for days; in `zone` if given. */
export function formatWindow(ms: number, day: boolean, zone = 'UTC'): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const date = `${part('year')}-${part('month')}-${part('day')}`;
  return day ? date : `${date} ${part('hour')}:${part('minute')}`;
}

export function formatRange(from: number, to: number): string {
  return `[${new Date(from).toISOString()}, ${new Date(to).toISOString()})`;
}

/** A response with every proto Timestamp (`{seconds, nanos}`) turned into an ISO-8601 string. */
export function toJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 2 && typeof record.seconds === 'number' && typeof record.nanos === 'number') {
      return new Date(record.seconds * 1000 + Math.floor(record.nanos / 1e6)).toISOString();
    }
    return Object.fromEntries(keys.map((key) => [key, toJson(record[key])]));
  }
  return value;
}

const GRANULARITY_NAMES: Record<string, string> = {
  GRANULARITY_MINUTE: '1m',
  GRANULARITY_HOUR: '1h',
  GRANULARITY_DAY: '1d',
  GRANULARITY_UNSPECIFIED: 'auto',
};

/** `1m`, `1h`, `1d` or `auto` for a pulse.store.v1.Granularity. */
export function granularityName(value: string): string {
  return GRANULARITY_NAMES[value] ?? value;
}
