import { windowPartial } from './window-partial.fixture.js';
import { partialRowKey, WrittenVersions } from './written-versions.js';

describe('WrittenVersions', () => {
  it('covers a replay of the same or an older version of a written row, not a newer one', () => {
    const written = new WrittenVersions(10);
    written.record('row', 50);
    expect(written.covers('row', 50)).toBe(true);
    expect(written.covers('row', 49)).toBe(true);
    expect(written.covers('row', 51)).toBe(false);
    expect(written.covers('other', 1)).toBe(false);
  });

  it('keeps the highest version when writes finish out of order', () => {
    const written = new WrittenVersions(10);
    written.record('row', 12);
    written.record('row', 10);
    expect(written.covers('row', 11)).toBe(true);
    expect(written.covers('row', 13)).toBe(false);
  });

  it('still writes the closing emission that repeats the last live version with closed turned true', () => {
    const written = new WrittenVersions(10);
    written.record('row', 7, false);
    expect(written.covers('row', 7, false)).toBe(true);
    expect(written.covers('row', 7, true)).toBe(false);
    written.record('row', 7, true);
    expect(written.covers('row', 7, true)).toBe(true);
    expect(written.covers('row', 7, false)).toBe(true);
    written.record('row', 7, false);
    expect(written.covers('row', 7, true)).toBe(true);
  });

  it('forgets the least recently written row beyond its capacity', () => {
    const written = new WrittenVersions(2);
    written.record('a', 1);
    written.record('b', 1);
    written.record('a', 2);
    written.record('c', 1);
    expect(written.size).toBe(2);
    expect(written.covers('b', 1)).toBe(false);
    expect(written.covers('a', 2)).toBe(true);
    expect(written.covers('c', 1)).toBe(true);
  });

  it('remembers nothing with capacity 0', () => {
    const written = new WrittenVersions(0);
    written.record('a', 1);
    expect(written.covers('a', 1)).toBe(false);
  });

  it('keys a row by tenant, granularity, window, dimension and partition, not by version', () => {
    const base = windowPartial();
    expect(partialRowKey(windowPartial({ version: 9, closed: true }))).toBe(partialRowKey(base));
    for (const change of [
      { tenant: 'acme' },
      { granularity: '1h' as const },
      { window_start: base.window_start + 60_000 },
      { dimension: 'country:GB' },
      { partition: 1 },
    ]) {
      expect(partialRowKey(windowPartial(change))).not.toBe(partialRowKey(base));
    }
  });
});
