import { parseDuration, parseRange, parseTime } from './time-range.js';
import { UsageError } from './usage-error.js';

const now = Date.parse('2026-11-27T12:34:56.789Z');

describe('parseTime', () => {
  it('reads now, durations ago (with or without a minus), dates and ISO times', () => {
    expect(parseTime('now', '--until', now)).toBe(now);
    expect(parseTime('-24h', '--since', now)).toBe(now - 86_400_000);
    expect(parseTime('24h', '--since', now)).toBe(now - 86_400_000);
    expect(parseTime('-15m', '--since', now)).toBe(now - 900_000);
    expect(parseTime('-1.5h', '--since', now)).toBe(now - 5_400_000);
    expect(parseTime('-2w', '--since', now)).toBe(now - 14 * 86_400_000);
    expect(parseTime('2026-11-24', '--since', now)).toBe(Date.UTC(2026, 10, 24));
    expect(parseTime('2026-11-24T10:00Z', '--since', now)).toBe(Date.UTC(2026, 10, 24, 10));
    expect(parseTime('2026-11-24T10:00', '--since', now)).toBe(Date.UTC(2026, 10, 24, 10));
    expect(parseTime('2026-11-24 10:00:30.5', '--since', now)).toBe(Date.UTC(2026, 10, 24, 10, 0, 30, 500));
    expect(parseTime('2026-11-24T10:00+01:00', '--since', now)).toBe(Date.UTC(2026, 10, 24, 9));
  });

  it('names the option and the accepted forms when it cannot read a time', () => {
    expect(() => parseTime('yesterday', '--since', now)).toThrow(UsageError);
    expect(() => parseTime('yesterday', '--since', now)).toThrow(/^--since: "yesterday" is not a time: use now, -24h/);
    expect(() => parseTime('2026-13-45', '--until', now)).toThrow(/--until: "2026-13-45" is not a valid date/);
    expect(() => parseTime('-24x', '--since', now)).toThrow(UsageError);
  });
});

describe('parseDuration and parseRange', () => {
  it('reads durations', () => {
    expect(parseDuration('10s', '--timeout')).toBe(10_000);
    expect(() => parseDuration('soon', '--timeout')).toThrow(/--timeout: "soon" is not a duration/);
  });

  it('refuses an empty or inverted range', () => {
    expect(parseRange('-1h', 'now', now)).toEqual({ from: now - 3_600_000, to: now });
    expect(() => parseRange('now', '-1h', now)).toThrow(/--until .* must be after --since/);
  });
});
