import fc from 'fast-check';

import { ReplayClock } from './replay-clock.js';

const NOW = Date.UTC(2026, 10, 24, 10);
const T0 = Date.UTC(2010, 11, 1, 8, 26);
const HOUR = 3_600_000;

describe('ReplayClock', () => {
  it('at --speed 60 sends an hour of data in a minute, measured from the first line', () => {
    const clock = new ReplayClock({ pacing: { kind: 'speed', factor: 60 }, times: 'original', startedAt: NOW });
    expect(clock.dueAt(T0)).toBe(NOW);
    expect(clock.dueAt(T0 + HOUR)).toBe(NOW + 60_000);
    expect(clock.dueAt(T0 + 24 * HOUR)).toBe(NOW + 24 * 60_000);
    // A line earlier than the first is already due.
    expect(clock.dueAt(T0 - HOUR)).toBeLessThan(NOW);
    expect(clock.occurredAt(T0 + HOUR)).toBe(T0 + HOUR);
  });

  it('keeps the order and the proportions of the data at any speed', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 10_000, noNaN: true }),
        fc.array(fc.integer({ min: 0, max: 365 * 24 * HOUR }), { minLength: 2, maxLength: 20 }),
        (factor, offsets) => {
          const clock = new ReplayClock({ pacing: { kind: 'speed', factor }, times: 'original', startedAt: NOW });
          const instants = [T0, ...offsets.map((o) => T0 + o)];
          const due = instants.map((t) => clock.dueAt(t));
          return instants.every((t, i) => Math.abs(due[i] - NOW - (t - T0) / factor) < 1e-3);
        },
      ),
    );
  });

  it('sends everything at once in a backfill', () => {
    const clock = new ReplayClock({ pacing: { kind: 'backfill' }, times: 'original', startedAt: NOW });
    expect(clock.dueAt(T0)).toBe(NOW);
    expect(clock.dueAt(T0 + 1_000 * HOUR)).toBe(NOW);
  });

  it('with end-now shifts every time by the same amount so the last line happened now', () => {
    const last = T0 + 300 * 24 * HOUR;
    const clock = new ReplayClock({
      pacing: { kind: 'backfill' },
      times: 'end-now',
      startedAt: NOW,
      lastInstant: last,
    });
    expect(clock.occurredAt(last)).toBe(NOW);
    expect(clock.occurredAt(T0)).toBe(NOW - 300 * 24 * HOUR);
  });

  it('with live stamps each line with the moment it is due', () => {
    const clock = new ReplayClock({ pacing: { kind: 'speed', factor: 60 }, times: 'live', startedAt: NOW });
    expect(clock.occurredAt(T0)).toBe(NOW);
    expect(clock.occurredAt(T0 + 2 * HOUR)).toBe(NOW + 2 * 60_000);
  });

  it('refuses combinations without a meaning', () => {
    expect(() => new ReplayClock({ pacing: { kind: 'backfill' }, times: 'live', startedAt: NOW })).toThrow(/live/);
    expect(() => new ReplayClock({ pacing: { kind: 'backfill' }, times: 'end-now', startedAt: NOW })).toThrow(/last/);
    expect(() => new ReplayClock({ pacing: { kind: 'speed', factor: 0 }, times: 'original', startedAt: NOW })).toThrow(
      /speed/,
    );
  });
});
