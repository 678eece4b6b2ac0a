import { isValidWallTime, type TimeZone, type WallTime } from '../time/time-zone.js';

/**
 * Reads the InvoiceDate column. A format is `iso` (ISO-8601; an offset in the value wins over the
 * zone) or a pattern of tokens — YYYY, M or MM, D or DD, H or HH, mm, ss, SSS — and literal
 * characters, e.g. `M/D/YYYY H:mm` (the UCI Online Retail export) or `YYYY-MM-DD HH:mm:ss`
 * (Online Retail II). A pattern's wall time is read in the given IANA zone.
 */
export class InvoiceDateFormat {
  private constructor(
    readonly text: string,
    private readonly pattern: RegExp,
    private readonly slots: Array<keyof WallTime>,
  ) {}

  static readonly ISO = 'iso';

  static parse(format: string): InvoiceDateFormat {
    if (format.toLowerCase() === InvoiceDateFormat.ISO)
      return new InvoiceDateFormat(InvoiceDateFormat.ISO, ISO_PATTERN, []);
    const slots: Array<keyof WallTime> = [];
    let source = '';
    const tokens = /YYYY|MM|M|DD|D|HH|H|mm|ss|SSS|[^YMDHmsS]+|[YMDHmsS]+/g;
    for (const [token] of format.matchAll(tokens)) {
      const slot = TOKENS[token];
      if (slot) {
        slots.push(slot.field);
        source += slot.pattern;
      } else if (/^[YMDHmsS]+$/.test(token)) {
        throw new RangeError(
          `date format "${format}": unknown token "${token}" (use YYYY M MM D DD H HH mm ss SSS or iso)`,
        );
      } else {
        source += token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
      }
    }
    for (const needed of ['year', 'month', 'day'] as const) {
      if (!slots.includes(needed)) throw new RangeError(`date format "${format}" has no ${needed}`);
    }
    if (new Set(slots).size !== slots.length) throw new RangeError(`date format "${format}" repeats a field`);
    return new InvoiceDateFormat(format, new RegExp(`^${source}$`), slots);
  }

  /** Epoch ms UTC, or undefined when the text does not match or names an impossible date. */
  read(value: string, zone: TimeZone): number | undefined {
    const match = this.pattern.exec(value.trim());
    if (!match) return undefined;
    if (this.text === InvoiceDateFormat.ISO) return readIso(match, zone);
    const wall: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, millisecond: 0 };
    this.slots.forEach((slot, i) => {
      wall[slot] = slot === 'millisecond' ? Number(match[i + 1].padEnd(3, '0')) : Number(match[i + 1]);
    });
    return isValidWallTime(wall) ? zone.toUtc(wall) : undefined;
  }
}

const TOKENS: Record<string, { field: keyof WallTime; pattern: string } | undefined> = {
  YYYY: { field: 'year', pattern: '(\\d{4})' },
  MM: { field: 'month', pattern: '(\\d{1,2})' },
  M: { field: 'month', pattern: '(\\d{1,2})' },
  DD: { field: 'day', pattern: '(\\d{1,2})' },
  D: { field: 'day', pattern: '(\\d{1,2})' },
  HH: { field: 'hour', pattern: '(\\d{1,2})' },
  H: { field: 'hour', pattern: '(\\d{1,2})' },
  mm: { field: 'minute', pattern: '(\\d{2})' },
  ss: { field: 'second', pattern: '(\\d{2})' },
  SSS: { field: 'millisecond', pattern: '(\\d{1,3})' },
};

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function readIso(match: RegExpExecArray, zone: TimeZone): number | undefined {
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', offset] = match;
  const wall: WallTime = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
    millisecond: Number(fraction.slice(0, 3).padEnd(3, '0')),
  };
  if (!isValidWallTime(wall)) return undefined;
  if (offset === undefined) return zone.toUtc(wall);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second, wall.millisecond);
  if (offset.toUpperCase() === 'Z') return asUtc;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  return asUtc - sign * minutes * 60_000;
}
