import { naiveScale, scaledError, symmetricPercentageError } from './forecast-accuracy.js';

describe('forecast accuracy', () => {
  it('scores sMAPE in percent, 0 where actual and forecast are both 0', () => {
    expect(symmetricPercentageError(110, 90)).toBeCloseTo(20, 12);
    expect(symmetricPercentageError(100, 0)).toBe(200);
    expect(symmetricPercentageError(0, 5)).toBe(200);
    expect(symmetricPercentageError(0, 0)).toBe(0);
    expect(symmetricPercentageError(-10, -10)).toBe(0);
  });

  it('scales by the in-sample seasonal naive MAE over observed pairs', () => {
    // Period 2 over [1, 4, 2, 6, null, 8]: pairs (1→2), (4→6), (6→8) differ by 1, 2, 2.
    expect(naiveScale([1, 4, 2, 6, null, 8], [2])).toBeCloseTo(5 / 3, 12);
  });

  it('falls back to the lag-1 MAE for a history that repeats exactly, 0 for a constant one', () => {
    expect(naiveScale([1, 3, 1, 3, 1, 3], [2])).toBe(2);
    expect(naiveScale([5, 5, 5, 5], [2])).toBe(0);
  });

  it('divides by the scale, and never returns NaN on a zero scale', () => {
    expect(scaledError(3, 1.5)).toBe(2);
    expect(scaledError(0, 0)).toBe(0);
    expect(scaledError(3, 0)).toBe(Number.POSITIVE_INFINITY);
  });
});
