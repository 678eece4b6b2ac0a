import { QueryArgumentError } from './query-error.js';
import { iso, type TimeRange } from './query-range.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Wider than any local day (≤ 26 h even in Antarctica/Troll), so the edge days are whole. */
const MARGIN = 2 * DAY;

/** A local day as UTC instants: [start, end), both whole UTC hours. */
export interface LocalDay {
  start: number;
  end: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, format);
  }
  return format;
}

/** The canonical IANA name of a zone ("UTC" for the empty string), or INVALID_ARGUMENT. */
export function resolveTimeZone(zone: string): string {
  if (zone === '') return 'UTC';
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new QueryArgumentError('time_zone', `unknown IANA time zone ${JSON.stringify(zone)}, e.g. "Europe/Berlin"`);
  }
}

export function isUtc(zone: string): boolean {
  return zone === 'UTC' || zone === 'Etc/UTC' || zone === 'GMT' || zone === 'Etc/GMT';
}

/** UTC offset of a zone at an instant, in ms (positive east of Greenwich). */
export function utcOffset(zone: string, at: number): number {
  const parts = formatter(zone).formatToParts(at);
  const field = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((part) => part.type === type)?.value);
  const local = Date.UTC(
    field('year'),
    field('month') - 1,
    field('day'),
    field('hour'),
    field('minute'),
    field('second'),
  );
  return local - Math.floor(at / 1000) * 1000;
}

/**
 * Offsets of every UTC hour in [first, last] (whole hours). Intl is slow (~30 µs a call), so the
 * offset is read once a day and, where it changed, the changing hour is found by bisection:
 * tz transitions are hours to months apart, never two inside one day.
 */
function hourlyOffsets(zone: string, first: number, last: number): number[] {
  const offsets: number[] = [];
  let dayStart = first;
  let atStart = utcOffset(zone, dayStart);
  while (dayStart <= last) {
    const dayEnd = Math.min(dayStart + DAY, last + HOUR);
    const atEnd = utcOffset(zone, dayEnd);
    // Hours in [dayStart, change) have atStart, the rest atEnd.
    let change = dayEnd;
    if (atEnd !== atStart) {
      let low = dayStart; // offset at low is atStart
      let high = dayEnd; // offset at high is atEnd
      while (high - low > HOUR) {
        const middle = low + Math.floor((high - low) / 2 / HOUR) * HOUR;
        if (utcOffset(zone, middle) === atStart) low = middle;
        else high = middle;
      }
      change = high;
    }
    for (let hour = dayStart; hour < dayEnd; hour += HOUR) offsets.push(hour < change ? atStart : atEnd);
    dayStart = dayEnd;
    atStart = atEnd;
  }
  return offsets;
}

function formatOffset(ms: number): string {
  const minutes = Math.abs(ms) / 60_000;
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(Math.round(minutes % 60)).padStart(2, '0');
  return `${ms < 0 ? '-' : '+'}${hh}:${mm}`;
}

/**
 * The local days of `zone` that overlap [from, to), each as the UTC hours it spans (23 to 25
 * around DST changes). Stored day windows are UTC days, so a local day can only be assembled from
 * hour windows — which needs every local midnight on a whole UTC hour: a zone whose offset is not
 * a whole number of hours in those days is refused, naming the offset.
 */
export function localDays(zone: string, range: TimeRange): LocalDay[] {
  const first = Math.floor((range.from - MARGIN) / HOUR) * HOUR;
  const last = Math.ceil((range.to + MARGIN) / HOUR) * HOUR;
  const offsets = hourlyOffsets(zone, first, last);
  const days: LocalDay[] = [];
  let current: { day: number; start: number; offset: number } | undefined;
  offsets.forEach((offset, index) => {
    const hour = first + index * HOUR;
    const day = Math.floor((hour + offset) / DAY);
    if (current && current.day === day) return;
    if (current) days.push({ start: current.start, end: hour });
    current = { day, start: hour, offset };
  });
  // The first and last groups may be cut by the margin; they never overlap the range.
  const overlapping = days.filter((day) => day.start < range.to && day.end > range.from);
  for (const day of overlapping) {
    for (let hour = day.start; hour < day.end; hour += HOUR) {
      const offset = offsets[(hour - first) / HOUR] ?? 0;
      if (offset % HOUR !== 0) {
        throw new QueryArgumentError(
          'time_zone',
          `${zone} is UTC${formatOffset(offset)} at ${iso(hour)}: local days are computed from hour windows, so only zones whose offset is a whole number of hours can be honoured; use UTC days (empty time_zone) or hour windows`,
        );
      }
    }
  }
  return overlapping;
}
