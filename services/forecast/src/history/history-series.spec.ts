import { actualOf, toTimeSeries, withoutWindows, type StoredWindow } from './history-series.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 2);
const at = (hour: number, value: number, closed = true): StoredWindow => ({ start: T0 + hour * HOUR, value, closed });

describe('store windows as a model series', () => {
  it('places each window at its index and leaves absent windows missing (gap mode)', () => {
    const series = toTimeSeries([at(1, 10), at(3, 30)], T0, 5, HOUR, 'gap');
    expect(series).toEqual({ start: T0, stepMs: HOUR, values: [null, 10, null, 30, null] });
  });

  it('ignores windows outside the range or off the window grid', () => {
    const series = toTimeSeries([at(-1, 1), at(5, 5), { start: T0 + 1, value: 9, closed: true }], T0, 5, HOUR, 'gap');
    expect(series.values).toEqual([null, null, null, null, null]);
  });

  it('counts absent windows after the first data as 0 in zero mode, and keeps earlier ones missing', () => {
    const series = toTimeSeries([at(2, 20), at(4, 40)], T0, 6, HOUR, 'zero');
    expect(series.values).toEqual([null, null, 20, 0, 40, 0]);
  });

  it('leaves a series without any data all missing in zero mode', () => {
    expect(toTimeSeries([], T0, 3, HOUR, 'zero').values).toEqual([null, null, null]);
  });

  it('makes the given windows missing (anomalies kept out of a refit)', () => {
    const series = toTimeSeries([at(0, 1), at(1, 2), at(2, 3)], T0, 3, HOUR, 'gap');
    expect(withoutWindows(series, [T0 + HOUR, T0 + 9 * HOUR]).values).toEqual([1, null, 3]);
    expect(series.values).toEqual([1, 2, 3]);
  });

  it('reads an absent actual as unknown in gap mode and as a closed 0 in zero mode', () => {
    const stored = new Map([[T0, at(0, 5)]]);
    expect(actualOf(stored, T0, 'gap')).toEqual(at(0, 5));
    expect(actualOf(stored, T0 + HOUR, 'gap')).toBeUndefined();
    expect(actualOf(stored, T0 + HOUR, 'zero')).toEqual(at(1, 0));
  });
});
