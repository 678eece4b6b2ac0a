/** Nothing Pulse analyses happened before this; older values are unit mix-ups or zero dates. */
export const EARLIEST_EVENT_TIME_MS = Date.UTC(2000, 0, 1);

/** Below 10^11 a number can only be seconds: 10^11 ms is 1973-03-03, 10^11 s is the year 5138. */
const SECONDS_BELOW = 1e11;

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const EPOCH_TEXT = /^[+-]?\d{1,16}(\.\d{1,9})?$/;

export type TimestampReason = 'invalid_timestamp' | 'timestamp_too_old' | 'timestamp_in_future';
export type TimestampResult = { ok: true; epochMs: number } | { ok: false; reason: TimestampReason; detail: string };

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Offset `Z`, `+01`, `+0100` or `+01:00` in minutes east of UTC, or undefined when impossible. */
function offsetMinutes(offset: string | undefined): number | undefined {
  if (offset === undefined || offset === 'Z' || offset === 'z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

/**
 * ISO-8601 calendar date-time → epoch ms. Stricter than Date.parse on purpose: Date.parse reads
 * "March 7", "-5" or "2026-02-30" as dates, and reads a date-time without offset in the process's
 * local time zone. Here a missing offset means UTC, so the result never depends on where the
 * cleaner runs; every field is range-checked; fractions beyond milliseconds are truncated.
 */
function parseIso(text: string): number | undefined {
  const match = ISO_8601.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', offset] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const shift = offsetMinutes(offset);
  if (shift === undefined) return undefined;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - shift * 60_000;
}

function fromEpochNumber(value: number): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  const ms = Math.round(Math.abs(value) < SECONDS_BELOW ? value * 1000 : value);
  // -0 from a rounded negative fraction is still the epoch, not a second zero.
  return ms === 0 ? 0 : ms;
}

/** ISO-8601 (with or without offset), epoch seconds or milliseconds (number or decimal string) → epoch ms UTC. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return fromEpochNumber(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (EPOCH_TEXT.test(text)) return fromEpochNumber(Number(text));
  return parseIso(text);
}

/**
 * The event time, checked against the clock the caller read (`now`, epoch ms): more than
 * `maxFutureSkewMs` ahead is a wrong clock or wrong unit, before 2000-01-01 is a zero date or a
 * unit mix-up. Either would land the event in a window that does not exist for the shop.
 */
export function normalizeTimestamp(value: unknown, now: number, maxFutureSkewMs: number): TimestampResult {
  const epochMs = parseTimestamp(value);
  if (epochMs === undefined) {
    return {
      ok: false,
      reason: 'invalid_timestamp',
      detail: 'occurred_at is neither ISO-8601 nor epoch seconds/milliseconds',
    };
  }
  if (epochMs < EARLIEST_EVENT_TIME_MS) {
    return { ok: false, reason: 'timestamp_too_old', detail: `occurred_at ${epochMs} is before 2000-01-01` };
  }
  if (epochMs > now + maxFutureSkewMs) {
    return {
      ok: false,
      reason: 'timestamp_in_future',
      detail: `occurred_at ${epochMs} is more than ${maxFutureSkewMs} ms after the cleaner's clock (${now})`,
    };
  }
  return { ok: true, epochMs };
}
