/** Pooled errors per step below this count are too few for a quantile: the fallback is used. */
const MIN_SAMPLES = 30;

/**
 * Half-widths of prediction intervals from backtest errors. For step h (1..horizon) the interval at
 * level L is mean ± q, q being the conformal L-quantile of the absolute rolling-origin errors at
 * steps h−1, h and h+1 (pooling neighbours triples the sample for the same cost and smooths the
 * steps into each other). Past the calibrated horizon H, q(H) grows by √(h/H). With too few errors
 * at a step the one-step in-sample residuals stand in, scaled by √h.
 */
export class IntervalCalibration {
  private constructor(
    readonly horizon: number,
    /** Sorted absolute errors per step (index h − 1); empty when too few. */
    private readonly byStep: readonly Float64Array[],
    /** Sorted absolute one-step residuals. */
    private readonly oneStep: Float64Array,
  ) {}

  /** `errors[origin][step − 1]`, null where the actual was missing. */
  static fromErrors(
    errors: readonly (readonly (number | null)[])[],
    residuals: readonly number[],
    horizon: number,
  ): IntervalCalibration {
    const byStep = Array.from({ length: horizon }, (_, index) => {
      const pooled: number[] = [];
      for (let step = Math.max(0, index - 1); step <= Math.min(horizon - 1, index + 1); step += 1) {
        for (const row of errors) {
          const error = row[step];
          if (error !== null && Number.isFinite(error)) pooled.push(Math.abs(error));
        }
      }
      return pooled.length >= MIN_SAMPLES ? sortedOf(pooled) : new Float64Array(0);
    });
    return new IntervalCalibration(horizon, byStep, sortedOf(residuals.filter(Number.isFinite).map(Math.abs)));
  }

  /** Half-width of the `level` interval `step` windows ahead. 0 when there is nothing to go by. */
  halfWidth(step: number, level: number): number {
    const within = Math.min(step, this.horizon);
    const errors = this.byStep[within - 1];
    if (errors !== undefined && errors.length > 0) {
      return conformalQuantile(errors, level) * Math.sqrt(step / within);
    }
    return this.oneStep.length > 0 ? conformalQuantile(this.oneStep, level) * Math.sqrt(step) : 0;
  }
}

/**
 * The ⌈(n+1)·level⌉-th smallest of n sorted values (split-conformal quantile: it covers a fresh
 * exchangeable error with probability ≥ level); the largest when that rank exceeds n.
 */
export function conformalQuantile(sorted: ArrayLike<number>, level: number): number {
  const rank = Math.min(sorted.length, Math.ceil((sorted.length + 1) * level));
  return sorted[Math.max(0, rank - 1)];
}

function sortedOf(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}
