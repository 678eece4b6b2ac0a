import { closedWindowsFrom, latestClosedWindow, windowClosesAt, type ClosingRule } from './window-schedule.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 2); // a Monday, 00:00 UTC
const RULE: ClosingRule = { allowedLatenessMs: 300_000, outOfOrdernessMs: 10_000 };

describe('window closing schedule', () => {
  it('closes an hour window 5 min 10 s after its end (allowed lateness + out-of-orderness)', () => {
    expect(windowClosesAt(T0, '1h', RULE)).toBe(T0 + HOUR + 310_000);
  });

  it('counts the 09:00 hour as open at 10:05:09.999 and closed at 10:05:10', () => {
    expect(latestClosedWindow('1h', T0 + 10 * HOUR + 309_999, RULE)).toBe(T0 + 8 * HOUR);
    expect(latestClosedWindow('1h', T0 + 10 * HOUR + 310_000, RULE)).toBe(T0 + 9 * HOUR);
  });

  it('closes a UTC day at 00:05:10 of the next day', () => {
    expect(latestClosedWindow('1d', T0 + DAY + 310_000, RULE)).toBe(T0);
    expect(latestClosedWindow('1d', T0 + DAY + 309_999, RULE)).toBe(T0 - DAY);
  });

  it('closes minute windows on the same rule (a minute ends 5 min 10 s before it counts)', () => {
    expect(latestClosedWindow('1m', T0 + 10 * MINUTE + 310_000, RULE)).toBe(T0 + 9 * MINUTE);
  });

  it('closes a window at its end when lateness and out-of-orderness are 0', () => {
    const none = { allowedLatenessMs: 0, outOfOrdernessMs: 0 };
    expect(latestClosedWindow('1h', T0 + 3 * HOUR, none)).toBe(T0 + 2 * HOUR);
    expect(latestClosedWindow('1h', T0 + 3 * HOUR - 1, none)).toBe(T0 + HOUR);
  });

  it('lists every window closed since `from`, ascending', () => {
    const now = T0 + 5 * HOUR + 310_000; // 04:00 has just closed
    expect(closedWindowsFrom('1h', T0 + 2 * HOUR, now, RULE, 100)).toEqual([
      T0 + 2 * HOUR,
      T0 + 3 * HOUR,
      T0 + 4 * HOUR,
    ]);
  });

  it('lists nothing while the next window to evaluate is still open', () => {
    expect(closedWindowsFrom('1h', T0 + 5 * HOUR, T0 + 5 * HOUR + 310_000, RULE, 100)).toEqual([]);
    expect(closedWindowsFrom('1h', T0 + 4 * HOUR, T0 + 5 * HOUR + 309_999, RULE, 100)).toEqual([]);
  });

  it('keeps only the latest `limit` windows after a long pause', () => {
    const now = T0 + 30 * HOUR + 310_000;
    expect(closedWindowsFrom('1h', T0, now, RULE, 3)).toEqual([T0 + 27 * HOUR, T0 + 28 * HOUR, T0 + 29 * HOUR]);
  });
});
