import { conformalQuantile, IntervalCalibration } from './interval-calibration.js';

describe('interval calibration', () => {
  const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  it('takes the ⌈(n+1)·level⌉-th smallest value as the conformal quantile', () => {
    const sorted = oneTo(19);
    expect(conformalQuantile(sorted, 0.95)).toBe(19);
    expect(conformalQuantile(sorted, 0.8)).toBe(16);
    expect(conformalQuantile(sorted, 0.5)).toBe(10);
    expect(conformalQuantile(oneTo(5), 0.95)).toBe(5);
  });

  it('pools the absolute errors of each step with its neighbours', () => {
    // 20 origins; at step h the errors are ±h·(1..20)/20, signs alternating.
    const errors = oneTo(20).map((k) => [1, 2, 3, 4].map((h) => ((k % 2 ? -1 : 1) * h * k) / 20));
    const calibration = IntervalCalibration.fromErrors(errors, [], 4);
    const pooled = (steps: number[]) => steps.flatMap((h) => oneTo(20).map((k) => (h * k) / 20)).sort((a, b) => a - b);
    expect(calibration.halfWidth(1, 0.9)).toBe(conformalQuantile(pooled([1, 2]), 0.9));
    expect(calibration.halfWidth(3, 0.9)).toBe(conformalQuantile(pooled([2, 3, 4]), 0.9));
    expect(calibration.halfWidth(4, 0.5)).toBe(conformalQuantile(pooled([3, 4]), 0.5));
  });

  it('grows the last calibrated step by √(h/H) beyond the horizon', () => {
    const errors = oneTo(40).map((k) => [k, k]);
    const calibration = IntervalCalibration.fromErrors(errors, [], 2);
    expect(calibration.halfWidth(8, 0.8)).toBeCloseTo(calibration.halfWidth(2, 0.8) * 2, 12);
  });

  it('falls back to √h-scaled one-step residual quantiles when too few errors are at hand', () => {
    const calibration = IntervalCalibration.fromErrors([[1, 2, 3]], [-3, 1, -2, 4, 0], 3);
    expect(calibration.halfWidth(1, 0.5)).toBe(2);
    expect(calibration.halfWidth(4, 0.5)).toBe(4);
  });

  it('gives zero width when there is nothing to go by, and skips missing errors', () => {
    expect(IntervalCalibration.fromErrors([], [], 5).halfWidth(3, 0.95)).toBe(0);
    const withGaps = oneTo(40).map((k) => [k % 4 === 0 ? null : k]);
    expect(IntervalCalibration.fromErrors(withGaps, [], 1).halfWidth(1, 0.5)).toBe(
      conformalQuantile(
        oneTo(40).filter((k) => k % 4 !== 0),
        0.5,
      ),
    );
  });
});
