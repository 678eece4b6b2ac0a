import { impute } from './imputation.js';

describe('impute', () => {
  const truth = (t: number) => 100 + 2 * t + 30 * Math.sin((2 * Math.PI * t) / 24);

  it('fills single windows and a day-long gap from the same hour a day before and after, keeping trend and season', () => {
    const values: (number | null)[] = Array.from({ length: 24 * 6 }, (_, t) => truth(t));
    const missing = [30, 31, 40, ...Array.from({ length: 30 }, (_, i) => 60 + i)];
    for (const t of missing) values[t] = null;
    const filled = impute(values, 24);
    for (const t of missing) expect(filled[t]).toBeCloseTo(truth(t), 9);
  });

  it('continues trend and season into missing windows at the end and at the start', () => {
    const values: (number | null)[] = Array.from({ length: 72 }, (_, t) => truth(t));
    for (const t of [0, 1, 70, 71]) values[t] = null;
    const filled = impute(values, 24);
    for (const t of [0, 1, 70, 71]) expect(filled[t]).toBeCloseTo(truth(t), 9);
  });

  it('carries the mean day-over-day change of the day before a gap at the end, not one noisy pair', () => {
    // Days at 100, 110 and 120, one window of the last day 24 too high.
    const values: (number | null)[] = Array.from(
      { length: 60 },
      (_, t) => 100 + 10 * Math.floor(t / 24) + (t === 50 ? 24 : 0),
    );
    values[59] = null;
    // The 24 day-over-day changes before the gap: 10 each but one 34, mean 11; the same hour a day before is 110.
    expect(impute(values, 24)[59]).toBeCloseTo(110 + 11, 9);
  });

  it('interpolates between the nearest observed windows when no window of the same phase is observed', () => {
    const filled = impute([10, 12, null, null, 18, null], 24);
    expect(filled).toEqual([10, 12, 14, 16, 18, 18]);
  });

  it('treats NaN and infinities as missing', () => {
    expect(impute([1, Number.NaN, 3, Number.POSITIVE_INFINITY, 5], 24)).toEqual([1, 2, 3, 4, 5]);
  });
});
