/**
 * IANA time zones through Intl (the tz database Node ships), without a date library: the offset at
 * an instant comes from `formatToParts`, and a wall-clock time becomes an instant the way
 * Temporal's `disambiguation: 'compatible'` does it — a time skipped by a DST jump is moved
 * forward by the jump, a time that occurs twice takes the earlier instant.
 */

/** A local date and time as a clock on the wall shows it (month 1–12). */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const DAY_MS = 86_400_000;

export class TimeZone {
  private static readonly cache = new Map<string, TimeZone>();
  private readonly format?: Intl.DateTimeFormat;
  /** the last 15-minute bucket looked up: offsets only change on quarter hours */
  private lastBucket = Number.NaN;
  private lastOffset = 0;

  private constructor(readonly name: string) {
    if (name !== 'UTC') {
      this.format = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      });
    }
  }

  /** The zone of an IANA name (`Europe/London`, `UTC`); throws a RangeError naming it when unknown. */
  static of(name: string): TimeZone {
    const cached = TimeZone.cache.get(name);
    if (cached) return cached;
    let zone: TimeZone;
    try {
      zone = new TimeZone(name);
    } catch {
      throw new RangeError(`unknown time zone "${name}" (use an IANA name such as Europe/London or UTC)`);
    }
    TimeZone.cache.set(name, zone);
    return zone;
  }

  /** Local time minus UTC at the instant, in milliseconds (London in summer: +3,600,000). */
  offsetMs(utcMs: number): number {
    if (!this.format) return 0;
    const bucket = Math.floor(utcMs / 900_000);
    if (bucket === this.lastBucket) return this.lastOffset;
    const seconds = Math.floor(utcMs / 1000) * 1000;
    const parts: Record<string, string> = {};
    for (const part of this.format.formatToParts(seconds)) parts[part.type] = part.value;
    const year = parts.era === 'BC' ? 1 - Number(parts.year) : Number(parts.year);
    const asUtc = utcOf({
      year,
      month: Number(parts.month),
      day: Number(parts.day),
      hour: Number(parts.hour),
      minute: Number(parts.minute),
      second: Number(parts.second),
      millisecond: 0,
    });
    this.lastBucket = bucket;
    this.lastOffset = asUtc - seconds;
    return this.lastOffset;
  }

  wallTime(utcMs: number): WallTime {
    const local = new Date(utcMs + this.offsetMs(utcMs));
    return {
      year: local.getUTCFullYear(),
      month: local.getUTCMonth() + 1,
      day: local.getUTCDate(),
      hour: local.getUTCHours(),
      minute: local.getUTCMinutes(),
      second: local.getUTCSeconds(),
      millisecond: local.getUTCMilliseconds(),
    };
  }

  /** The instant a wall-clock time in this zone denotes (DST gaps forward, overlaps earlier). */
  toUtc(wall: WallTime): number {
    const local = utcOf(wall);
    const before = this.offsetMs(local - DAY_MS);
    const after = this.offsetMs(local + DAY_MS);
    const candidates = [local - before, local - after].filter((instant) => instant + this.offsetMs(instant) === local);
    if (candidates.length > 0) return Math.min(...candidates);
    // Skipped by a jump forward: read the time with the offset before the jump, which lands after it.
    return local - before;
  }
}

/** The wall time read as if it were UTC, in epoch milliseconds. */
export function utcOf(wall: WallTime): number {
  const date = new Date(0);
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  date.setUTCHours(wall.hour, wall.minute, wall.second, wall.millisecond);
  return date.getTime();
}

export function isValidWallTime(wall: WallTime): boolean {
  if (wall.month < 1 || wall.month > 12 || wall.day < 1) return false;
  const daysInMonth = new Date(Date.UTC(2000, wall.month, 0)).getUTCDate();
  const leapAdjusted =
    wall.month === 2 && !(wall.year % 4 === 0 && (wall.year % 100 !== 0 || wall.year % 400 === 0)) ? 28 : daysInMonth;
  return (
    wall.day <= leapAdjusted &&
    wall.hour >= 0 &&
    wall.hour < 24 &&
    wall.minute >= 0 &&
    wall.minute < 60 &&
    wall.second >= 0 &&
    wall.second < 60 &&
    wall.millisecond >= 0 &&
    wall.millisecond < 1000
  );
}
