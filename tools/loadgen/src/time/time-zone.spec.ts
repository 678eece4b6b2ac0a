import fc from 'fast-check';

import { isValidWallTime, TimeZone, type WallTime } from './time-zone.js';

const wall = (year: number, month: number, day: number, hour = 0, minute = 0, second = 0): WallTime => ({
  year,
  month,
  day,
  hour,
  minute,
  second,
  millisecond: 0,
});

describe('TimeZone', () => {
  it('reads a London summer time as BST (UTC+1) and a winter time as GMT', () => {
    const london = TimeZone.of('Europe/London');
    expect(new Date(london.toUtc(wall(2011, 6, 1, 12, 0))).toISOString()).toBe('2011-06-01T11:00:00.000Z');
    expect(new Date(london.toUtc(wall(2010, 12, 1, 8, 26))).toISOString()).toBe('2010-12-01T08:26:00.000Z');
  });

  it('moves a time skipped by the spring DST jump forward by the jump (01:30 on 2011-03-27 in London)', () => {
    const london = TimeZone.of('Europe/London');
    expect(new Date(london.toUtc(wall(2011, 3, 27, 1, 30))).toISOString()).toBe('2011-03-27T01:30:00.000Z');
    expect(new Date(london.toUtc(wall(2011, 3, 27, 2, 0))).toISOString()).toBe('2011-03-27T01:00:00.000Z');
  });

  it('takes the earlier instant for a time that occurs twice (01:30 on 2010-10-31 in London)', () => {
    const london = TimeZone.of('Europe/London');
    expect(new Date(london.toUtc(wall(2010, 10, 31, 1, 30))).toISOString()).toBe('2010-10-31T00:30:00.000Z');
  });

  it('handles zones west of UTC and half-hour offsets', () => {
    expect(new Date(TimeZone.of('America/New_York').toUtc(wall(2024, 3, 10, 2, 30))).toISOString()).toBe(
      '2024-03-10T07:30:00.000Z',
    );
    expect(new Date(TimeZone.of('America/New_York').toUtc(wall(2024, 7, 4, 9, 0))).toISOString()).toBe(
      '2024-07-04T13:00:00.000Z',
    );
    expect(new Date(TimeZone.of('Asia/Kolkata').toUtc(wall(2024, 1, 1, 5, 30))).toISOString()).toBe(
      '2024-01-01T00:00:00.000Z',
    );
  });

  it('reports the offset at an instant', () => {
    const berlin = TimeZone.of('Europe/Berlin');
    expect(berlin.offsetMs(Date.UTC(2026, 0, 1))).toBe(3_600_000);
    expect(berlin.offsetMs(Date.UTC(2026, 6, 1))).toBe(7_200_000);
    expect(TimeZone.of('UTC').offsetMs(Date.UTC(2026, 6, 1))).toBe(0);
  });

  it('round-trips wall time → instant → wall time for every instant (no DST gap in the way)', () => {
    const zone = TimeZone.of('Europe/London');
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }), (instant) => {
        const at = Math.floor(instant / 1000) * 1000;
        const local = zone.wallTime(at);
        const back = zone.toUtc(local);
        // In the doubled hour an instant of the later reading maps back to the earlier one.
        return back === at || back === at - 3_600_000;
      }),
    );
  });

  it('names an unknown zone in its error', () => {
    expect(() => TimeZone.of('Mars/Olympus_Mons')).toThrow(/unknown time zone "Mars\/Olympus_Mons"/);
  });
});

describe('isValidWallTime', () => {
  it('knows leap years and month lengths', () => {
    expect(isValidWallTime(wall(2024, 2, 29))).toBe(true);
    expect(isValidWallTime(wall(2023, 2, 29))).toBe(false);
    expect(isValidWallTime(wall(2000, 2, 29))).toBe(true);
    expect(isValidWallTime(wall(1900, 2, 29))).toBe(false);
    expect(isValidWallTime(wall(2026, 4, 31))).toBe(false);
    expect(isValidWallTime(wall(2026, 13, 1))).toBe(false);
    expect(isValidWallTime(wall(2026, 1, 1, 24))).toBe(false);
  });
});
