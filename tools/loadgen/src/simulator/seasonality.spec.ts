import { TimeZone } from '../time/time-zone.js';
import { DEFAULT_SEASONALITY, FLAT_SEASONALITY, Seasonality } from './seasonality.js';

const HOUR = 3_600_000;
/** Monday 2026-03-02 00:00 UTC */
const MONDAY = Date.UTC(2026, 2, 2);

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

describe('Seasonality', () => {
  it('averages 1 over a week, so the configured rate is the weekly mean', () => {
    const season = new Seasonality();
    let sum = 0;
    const samples = 7 * 24 * 60;
    for (let minute = 0; minute < samples; minute += 1) sum += season.factorAt(MONDAY + minute * 60_000);
    expect(sum / samples).toBeCloseTo(1, 3);
  });

  it('follows the hourly curve at whole hours and interpolates linearly between them', () => {
    const season = new Seasonality();
    const hourly = DEFAULT_SEASONALITY.hourly.map((v) => v / mean(DEFAULT_SEASONALITY.hourly));
    const monday = DEFAULT_SEASONALITY.weekly[0] / mean(DEFAULT_SEASONALITY.weekly);
    expect(season.factorAt(MONDAY + 20 * HOUR)).toBeCloseTo(hourly[20] * monday, 10);
    expect(season.factorAt(MONDAY + 3.5 * HOUR)).toBeCloseTo(((hourly[3] + hourly[4]) / 2) * monday, 10);
    // 23:30 interpolates towards the next day's midnight level.
    expect(season.factorAt(MONDAY + 23.5 * HOUR)).toBeCloseTo(((hourly[23] + hourly[0]) / 2) * monday, 10);
  });

  it('is busiest in the evening and quietest before dawn, and busier on Sunday than Saturday', () => {
    const season = new Seasonality();
    expect(season.factorAt(MONDAY + 20 * HOUR)).toBeGreaterThan(3 * season.factorAt(MONDAY + 4 * HOUR));
    const saturdayNoon = MONDAY + (5 * 24 + 12) * HOUR;
    expect(season.factorAt(saturdayNoon + 24 * HOUR)).toBeGreaterThan(season.factorAt(saturdayNoon));
    expect(season.peak).toBeGreaterThanOrEqual(season.factorAt(MONDAY + 6 * 24 * HOUR + 20 * HOUR));
  });

  it("reads hours and weekdays in the shop's time zone", () => {
    const utc = new Seasonality();
    const newYork = new Seasonality(DEFAULT_SEASONALITY, TimeZone.of('America/New_York'));
    // Winter: New York is UTC-5, so 20:00 local is 01:00 UTC the next day.
    const localEvening = Date.UTC(2026, 0, 14, 1);
    expect(newYork.factorAt(localEvening)).toBeCloseTo(utc.factorAt(Date.UTC(2026, 0, 13, 20)), 10);
  });

  it('is always 1 when flat', () => {
    const flat = new Seasonality(FLAT_SEASONALITY);
    for (let h = 0; h < 200; h += 7) expect(flat.factorAt(MONDAY + h * HOUR)).toBe(1);
    expect(flat.peak).toBe(1);
  });

  it('refuses malformed profiles', () => {
    expect(() => new Seasonality({ hourly: [1], weekly: DEFAULT_SEASONALITY.weekly })).toThrow(RangeError);
    expect(() => new Seasonality({ hourly: new Array(24).fill(0), weekly: new Array(7).fill(1) })).toThrow(RangeError);
    expect(() => new Seasonality({ hourly: new Array(24).fill(-1), weekly: new Array(7).fill(1) })).toThrow(RangeError);
  });
});
