import fc from 'fast-check';

import { normalizeTimestamp, parseTimestamp } from './timestamps.js';

// Reference instants computed with Python's datetime, not with the code under test.
const T_2026_11_24_10 = 1_795_514_400_000; // 2026-11-24T10:00:00Z
const T_2000_01_01 = 946_684_800_000;
const DAY = 86_400_000;
const now = T_2026_11_24_10;

describe('parseTimestamp', () => {
  it.each([
    ['2026-11-24T10:00:00.123Z', T_2026_11_24_10 + 123],
    ['2026-11-24T10:00:00Z', T_2026_11_24_10],
    ['2026-11-24t10:00:00z', T_2026_11_24_10],
    ['2026-11-24T10:00:00.123456789Z', T_2026_11_24_10 + 123],
    ['2026-11-24T10:00:00,5Z', T_2026_11_24_10 + 500],
    ['  2026-11-24T10:00Z ', T_2026_11_24_10],
  ])('cleaning.md row 4: reads ISO-8601 UTC %j', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it.each([
    ['2026-11-24T11:00:00.123+01:00', T_2026_11_24_10 + 123],
    ['2026-11-24T11:00:00.123+0100', T_2026_11_24_10 + 123],
    ['2026-11-24T11:00:00.123+01', T_2026_11_24_10 + 123],
    ['2026-11-24T05:30:00-04:30', T_2026_11_24_10],
    ['2026-11-25T00:45:00+14:45', T_2026_11_24_10],
  ])('cleaning.md row 5: applies the offset of %j', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it.each([
    ['2026-11-24 10:00:00', T_2026_11_24_10],
    ['2026-11-24T10:00:00', T_2026_11_24_10],
    ['2026-11-24', T_2026_11_24_10 - 10 * 3_600_000],
    ['2026-11-24 11:00:00 +01:00', T_2026_11_24_10],
  ])('cleaning.md row 6: reads %j without offset as UTC, whatever the process time zone', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it.each([
    [1_795_514_400, T_2026_11_24_10],
    ['1795514400', T_2026_11_24_10],
    ['1795514400.5', T_2026_11_24_10 + 500],
    [1_795_514_400.123, T_2026_11_24_10 + 123],
  ])('cleaning.md row 7: reads epoch seconds %p', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it.each([
    [T_2026_11_24_10 + 123, T_2026_11_24_10 + 123],
    [String(T_2026_11_24_10 + 123), T_2026_11_24_10 + 123],
    [T_2026_11_24_10 + 0.6, T_2026_11_24_10 + 1],
  ])('cleaning.md row 8: reads epoch milliseconds %p', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it.each([
    ['2026-02-30T10:00:00Z'],
    ['2026-13-01'],
    ['2026-11-24T24:00:00Z'],
    ['2026-11-24T10:60:00Z'],
    ['2026-11-24T10:00:00+25:00'],
    ['24/11/2026'],
    ['Nov 24 2026'],
    ['yesterday'],
    [''],
    ['1e12'],
    ['0x1A'],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [null],
    [{}],
  ])('cleaning.md row 9: %p is not a timestamp', (input) => {
    expect(parseTimestamp(input)).toBeUndefined();
    expect(normalizeTimestamp(input, now, DAY)).toMatchObject({ ok: false, reason: 'invalid_timestamp' });
  });

  it('accepts 29 February only in leap years', () => {
    expect(parseTimestamp('2024-02-29T23:30:00Z')).toBe(1_709_249_400_000);
    expect(parseTimestamp('2026-02-29')).toBeUndefined();
  });
});

describe('normalizeTimestamp', () => {
  it.each([[0], [-1], ['1999-12-31T23:59:59.999Z'], [T_2000_01_01 - 1], ['0000-01-01']])(
    'cleaning.md row 10: refuses %p as before 2000-01-01',
    (input) => {
      expect(normalizeTimestamp(input, now, DAY)).toMatchObject({ ok: false, reason: 'timestamp_too_old' });
    },
  );

  it('accepts 2000-01-01T00:00:00Z itself', () => {
    expect(normalizeTimestamp('2000-01-01T00:00:00Z', now, DAY)).toEqual({ ok: true, epochMs: T_2000_01_01 });
  });

  it('cleaning.md row 11: refuses an event more than the skew (1 day) ahead of now, accepts one exactly at it', () => {
    expect(normalizeTimestamp(now + DAY, now, DAY)).toEqual({ ok: true, epochMs: now + DAY });
    expect(normalizeTimestamp(now + DAY + 1, now, DAY)).toMatchObject({ ok: false, reason: 'timestamp_in_future' });
    expect(normalizeTimestamp('9999-12-31T23:59:59Z', now, DAY)).toMatchObject({ reason: 'timestamp_in_future' });
    expect(normalizeTimestamp(now + 61_000, now, 60_000)).toMatchObject({ reason: 'timestamp_in_future' });
  });

  it('never throws on any input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.string(),
          fc.double(),
          fc.date().map((d) => d.toString()),
        ),
        (value) => {
          const result = normalizeTimestamp(value, now, DAY);
          if (result.ok) expect(Number.isSafeInteger(result.epochMs)).toBe(true);
        },
      ),
    );
  });

  it('reads back every instant from its ISO form, its epoch ms and its epoch seconds, and is idempotent', () => {
    fc.assert(
      fc.property(fc.integer({ min: T_2000_01_01, max: now + DAY }), (ms) => {
        const iso = new Date(ms).toISOString();
        expect(normalizeTimestamp(iso, now, DAY)).toEqual({ ok: true, epochMs: ms });
        expect(normalizeTimestamp(ms, now, DAY)).toEqual({ ok: true, epochMs: ms });
        const seconds = `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`;
        expect(normalizeTimestamp(seconds, now, DAY)).toEqual({ ok: true, epochMs: ms });
        const once = normalizeTimestamp(iso, now, DAY);
        if (once.ok) expect(normalizeTimestamp(once.epochMs, now, DAY)).toEqual(once);
      }),
    );
  });

  it('gives the same instant for any offset the same moment is written in', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: T_2000_01_01 + DAY, max: now }),
        fc.integer({ min: -12 * 60, max: 14 * 60 }),
        (ms, offsetMinutes) => {
          const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
          const sign = offsetMinutes < 0 ? '-' : '+';
          const abs = Math.abs(offsetMinutes);
          const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
          expect(parseTimestamp(`${local}${offset}`)).toBe(ms);
        },
      ),
    );
  });
});
