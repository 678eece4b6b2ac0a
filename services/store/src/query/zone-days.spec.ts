import { QueryArgumentError } from './query-error.js';
import { localDays, resolveTimeZone, utcOffset } from './zone-days.js';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const hours = (day: { start: number; end: number }) => (day.end - day.start) / HOUR;

describe('resolveTimeZone', () => {
  it('answers the canonical IANA name, UTC for the empty string', () => {
    expect(resolveTimeZone('')).toBe('UTC');
    expect(resolveTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(resolveTimeZone('Etc/UTC')).toBe('UTC');
  });

  it('refuses an unknown zone on time_zone', () => {
    expect(() => resolveTimeZone('Mars/Olympus_Mons')).toThrow(QueryArgumentError);
    expect(() => resolveTimeZone('Mars/Olympus_Mons')).toThrow(/time_zone: unknown IANA time zone/);
  });
});

describe('utcOffset', () => {
  it('reads the zone offset at an instant, DST included', () => {
    expect(utcOffset('Europe/Berlin', at('2026-01-15T12:00:00Z'))).toBe(1 * HOUR);
    expect(utcOffset('Europe/Berlin', at('2026-07-15T12:00:00Z'))).toBe(2 * HOUR);
    expect(utcOffset('America/New_York', at('2026-01-15T12:00:00Z'))).toBe(-5 * HOUR);
    expect(utcOffset('Asia/Kolkata', at('2026-01-15T12:00:00Z'))).toBe(5.5 * HOUR);
  });
});

describe('localDays', () => {
  it('answers Berlin days as the UTC hours from one local midnight to the next', () => {
    const days = localDays('Europe/Berlin', { from: at('2026-11-24T12:00:00Z'), to: at('2026-11-25T12:00:00Z') });
    expect(days).toEqual([
      { start: at('2026-11-23T23:00:00Z'), end: at('2026-11-24T23:00:00Z') },
      { start: at('2026-11-24T23:00:00Z'), end: at('2026-11-25T23:00:00Z') },
    ]);
  });

  it('gives the spring-forward day 23 hours and the fall-back day 25', () => {
    const spring = localDays('Europe/Berlin', { from: at('2026-03-29T10:00:00Z'), to: at('2026-03-29T11:00:00Z') });
    expect(spring).toEqual([{ start: at('2026-03-28T23:00:00Z'), end: at('2026-03-29T22:00:00Z') }]);
    expect(hours(spring[0]!)).toBe(23);
    const autumn = localDays('Europe/Berlin', { from: at('2026-10-25T10:00:00Z'), to: at('2026-10-25T11:00:00Z') });
    expect(autumn).toEqual([{ start: at('2026-10-24T22:00:00Z'), end: at('2026-10-25T23:00:00Z') }]);
    expect(hours(autumn[0]!)).toBe(25);
  });

  it('handles zones west of UTC across their DST change', () => {
    const days = localDays('America/New_York', { from: at('2026-03-07T12:00:00Z'), to: at('2026-03-09T12:00:00Z') });
    expect(days.map(hours)).toEqual([24, 23, 24]);
    expect(days[1]).toEqual({ start: at('2026-03-08T05:00:00Z'), end: at('2026-03-09T04:00:00Z') });
  });

  it('tiles a long range with consecutive local days', () => {
    const days = localDays('Europe/Berlin', { from: at('2026-01-01T00:00:00Z'), to: at('2027-01-01T00:00:00Z') });
    expect(days).toHaveLength(366); // 2025-12-31 local (until 23:00Z) … 2026-12-31
    for (let i = 1; i < days.length; i += 1) expect(days[i]!.start).toBe(days[i - 1]!.end);
    expect(days.filter((day) => hours(day) !== 24).map(hours)).toEqual([23, 25]);
  });

  it('refuses a zone whose offset is not whole hours, naming the offset', () => {
    const range = { from: at('2026-11-24T00:00:00Z'), to: at('2026-11-25T00:00:00Z') };
    expect(() => localDays('Asia/Kolkata', range)).toThrow(QueryArgumentError);
    expect(() => localDays('Asia/Kolkata', range)).toThrow(/UTC\+05:30/);
    expect(() => localDays('America/St_Johns', range)).toThrow(/UTC-03:30/);
  });
});
