import { UsageError } from './usage-error.js';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^-?(\d+(?:\.\d+)?)(s|m|h|d|w)$/;

/** A duration such as `10s`, `15m`, `24h`, `7d`, `2w` in ms (a leading `-` is allowed). */
export function parseDuration(text: string, option: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new UsageError(`${option}: ${JSON.stringify(text)} is not a duration like 30s, 15m, 24h, 7d or 2w`);
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}

/**
 * A point in time for --since / --until, relative to `now`:
 *   now                       the current time
 *   -24h, 24h, -15m, -7d, -2w that long ago (s, m, h, d, w)
 *   2026-11-24                midnight UTC of that day
 *   2026-11-24T10:00[:00][.000][Z|±hh:mm]   ISO-8601; without a zone it is UTC
 */
export function parseTime(text: string, option: string, now: number): number {
  const value = text.trim();
  if (value === 'now') return now;
  if (DURATION.test(value)) return now - parseDuration(value, option);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return checked(Date.parse(`${value}T00:00:00Z`), text, option);
  const iso = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(value);
  if (iso) return checked(Date.parse(`${iso[1]}T${iso[2]}${iso[3] ?? 'Z'}`), text, option);
  throw new UsageError(
    `${option}: ${JSON.stringify(text)} is not a time: use now, -24h (s, m, h, d, w ago), 2026-11-24 or 2026-11-24T10:00Z`,
  );
}

function checked(ms: number, text: string, option: string): number {
  if (Number.isNaN(ms)) throw new UsageError(`${option}: ${JSON.stringify(text)} is not a valid date`);
  return ms;
}

/** [since, until) from the options, refusing an empty or inverted range. */
export function parseRange(since: string, until: string, now: number): { from: number; to: number } {
  const from = parseTime(since, '--since', now);
  const to = parseTime(until, '--until', now);
  if (to <= from) {
    throw new UsageError(
      `--until (${new Date(to).toISOString()}) must be after --since (${new Date(from).toISOString()})`,
    );
  }
  return { from, to };
}
