import { isObserved } from './time-series.js';

/**
 * Fills missing points before fitting (scoring never uses the filled ones). A missing point takes
 * the straight line between the nearest observed points at the same phase of `period` (whole
 * seasons before and after it), so a gap keeps the seasonal shape and follows the trend. At the
 * ends of the series, where the same phase is observed on one side only, it continues from that
 * side by the mean season-over-season change of up to a season of windows next to the gap. When
 * no point of the same phase is observed at all, it interpolates linearly between the nearest
 * observed points of any phase. The series must have at least one observed point.
 */
export function impute(values: readonly (number | null)[], period: number): number[] {
  const filled = new Array<number>(values.length);
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i];
    filled[i] = isObserved(value) ? value : (alongPhase(values, i, period) ?? alongPhase(values, i, 1) ?? 0);
  }
  return filled;
}

function alongPhase(values: readonly (number | null)[], index: number, stride: number): number | undefined {
  let before = index - stride;
  while (before >= 0 && !isObserved(values[before])) before -= stride;
  let after = index + stride;
  while (after < values.length && !isObserved(values[after])) after += stride;
  const left = before >= 0 ? values[before] : undefined;
  const right = after < values.length ? values[after] : undefined;
  if (isObserved(left) && isObserved(right)) return left + ((right - left) * (index - before)) / (after - before);
  if (stride === 1) return left ?? right ?? undefined;
  if (isObserved(left)) return left + ((index - before) / stride) * seasonalChange(values, index, stride, -1);
  if (isObserved(right)) return right - ((after - index) / stride) * seasonalChange(values, index, stride, 1);
  return undefined;
}

/**
 * Mean of x[a + p] − x[a] over the (up to p) observed pairs nearest to `index` on one side
 * (direction −1: before it, +1: after it); 0 when there is none.
 */
function seasonalChange(values: readonly (number | null)[], index: number, period: number, direction: -1 | 1): number {
  let sum = 0;
  let count = 0;
  const first = direction < 0 ? index - 1 - period : index + 1;
  for (let a = first; a >= 0 && a + period < values.length && count < period; a += direction) {
    const early = values[a];
    const late = values[a + period];
    if (isObserved(early) && isObserved(late)) {
      sum += late - early;
      count += 1;
    }
  }
  return count > 0 ? sum / count : 0;
}
