import { TotalsAccumulator, type WindowTotals } from '../partials/partial-merge.js';
import { sketchOf } from '../partials/window-partial.fixture.js';
import { addIntoWindows, fillGaps, mergeIntoWindows } from './series-points.js';

const windows = [0, 10, 20, 30].map((start) => ({ start, end: start + 10 }));

describe('fillGaps', () => {
  const data = new Map([
    [10, { values: [5, 7], closed: true }],
    [30, { values: [1, 2], closed: false }],
  ]);

  it('leaves windows without data out when absent', () => {
    expect(fillGaps(windows, data, 2, 'absent')).toEqual([
      { start: 10, end: 20, values: [5, 7], closed: true, filled: false },
      { start: 30, end: 40, values: [1, 2], closed: false, filled: false },
    ]);
  });

  it('adds a filled zero point for every window without data when zero', () => {
    const points = fillGaps(windows, data, 2, 'zero');
    expect(points.map((point) => [point.start, point.values, point.filled])).toEqual([
      [0, [0, 0], true],
      [10, [5, 7], false],
      [20, [0, 0], true],
      [30, [1, 2], false],
    ]);
    expect(points[0]!.closed).toBe(false);
  });
});

describe('mergeIntoWindows', () => {
  function part(windowStart: number, events: number, users: string[], closed = true): WindowTotals {
    const totals = new TotalsAccumulator()
      .add({ closed, metrics: { events }, sketches: { unique_users: sketchOf(users).encode() } })
      .totals();
    return { windowStart, ...totals };
  }

  it('adds sums and unions sketches of the parts inside each window', () => {
    const merged = mergeIntoWindows(windows, [
      part(10, 3, ['a', 'b']),
      part(15, 4, ['b', 'c'], false),
      part(20, 1, ['a']),
      part(45, 100, ['z']), // outside every window
    ]);
    expect([...merged.keys()]).toEqual([10, 20]);
    expect(merged.get(10)!.metrics.events).toBe(7);
    expect(merged.get(10)!.distinct.unique_users).toBe(3);
    expect(merged.get(10)!.closed).toBe(false);
    expect(merged.get(20)!.metrics.events).toBe(1);
    expect(merged.get(20)!.closed).toBe(true);
  });
});

describe('addIntoWindows', () => {
  it('adds the values of the parts inside each window, closed only when every part was', () => {
    const merged = addIntoWindows(windows, [
      { start: 0, values: [1, 2], closed: true },
      { start: 5, values: [10, 20], closed: false },
      { start: 30, values: [7, 0], closed: true },
      { start: 99, values: [100, 100], closed: true },
    ]);
    expect([...merged]).toEqual([
      [0, { values: [11, 22], closed: false }],
      [30, { values: [7, 0], closed: true }],
    ]);
  });
});
