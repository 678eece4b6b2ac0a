import { settledByHours, type PartitionRow } from './hour-evidence.js';

const M = 60_000;
const H = 3_600_000;
const row = (windowStart: number, partition: number, events: number, closed = true): PartitionRow => ({
  windowStart,
  partition,
  events,
  closed,
});

describe('settledByHours', () => {
  // Two partitions. Partition 1 had no event in minute 0 of hour 0 but three in minute 1.
  const minutes = [row(0, 0, 2), row(M, 0, 1), row(M, 1, 3)];
  const candidate = { windowStart: 0, partials: 1 };

  it('proves a minute a partition never wrote when that partition closed the hour with exactly the events of its minutes', () => {
    const hours = [row(0, 0, 3), row(0, 1, 3)];
    expect(settledByHours([candidate], minutes, hours, 2)).toEqual(new Set([0]));
  });

  it('does not when the hour holds more events than the minutes read (a minute row still on its way)', () => {
    const hours = [row(0, 0, 3), row(0, 1, 5)];
    expect(settledByHours([candidate], minutes, hours, 2).size).toBe(0);
  });

  it('does not when the missing partition has not closed the hour, or has no hour row', () => {
    expect(settledByHours([candidate], minutes, [row(0, 0, 3), row(0, 1, 3, false)], 2).size).toBe(0);
    expect(settledByHours([candidate], minutes, [row(0, 0, 3)], 2).size).toBe(0);
  });

  it('does not when one of the partition’s minute rows is still open', () => {
    const open = [row(0, 0, 2), row(M, 0, 1), row(M, 1, 3, false)];
    expect(settledByHours([candidate], open, [row(0, 0, 3), row(0, 1, 3)], 2).size).toBe(0);
  });

  it('leaves out a candidate whose rows changed since its sums were read', () => {
    const hours = [row(0, 0, 3), row(0, 1, 3)];
    expect(settledByHours([{ windowStart: 0, partials: 2 }], minutes, hours, 2).size).toBe(0);
  });

  it('judges each minute by its own hour', () => {
    const later = [...minutes, row(H, 0, 4)];
    const hours = [row(0, 0, 3), row(0, 1, 3), row(H, 0, 4), row(H, 1, 1, false)];
    expect(settledByHours([candidate, { windowStart: H, partials: 1 }], later, hours, 2)).toEqual(new Set([0]));
  });
});
