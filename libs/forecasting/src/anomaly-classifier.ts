import { type ForecastPoint } from './fitted-model.js';

export type AnomalySeverity = 'warning' | 'critical';
export type AnomalyDirection = 'spike' | 'drop';

/**
 * When an actual is anomalous. The yardstick is the `level` interval's half-width w on the side the
 * actual fell: score = |actual − mean| / w. Up to warningRatio the actual is normal (inside the band,
 * or not far outside it); above it is a `warning`, above criticalRatio a `critical`.
 *
 * Why not "outside the 80% band = warning, outside the 95% band = critical": those bands are
 * exceeded by 20% and 5% of normal windows by construction, 34 and 8 alerts in a clean week of
 * hourly windows. With Gaussian errors the defaults (1.75 and 2.5 times the 95% half-width) sit at
 * 3.4σ and 4.9σ: about 0.06% and 0.0001% of normal windows, one false warning in ten clean weeks
 * of hourly windows (measured on simulated weeks: see docs/forecasting.md).
 */
export interface AnomalyRule {
  readonly level: number;
  readonly warningRatio: number;
  readonly criticalRatio: number;
}

export const DEFAULT_ANOMALY_RULE: AnomalyRule = { level: 0.95, warningRatio: 1.75, criticalRatio: 2.5 };

export type AnomalyVerdict =
  | { readonly anomalous: false; readonly score: number; readonly expected: ExpectedRange }
  | {
      readonly anomalous: true;
      readonly severity: AnomalySeverity;
      readonly direction: AnomalyDirection;
      readonly score: number;
      readonly expected: ExpectedRange;
    };

/** The rule level's interval: what the forecast expected. */
export interface ExpectedRange {
  readonly level: number;
  readonly lower: number;
  readonly upper: number;
}

/**
 * Compares a window's actual with its forecast point. A zero-width interval (a history of zeros)
 * makes any other value critical (score +∞). A lower bound clipped at 0 says nothing about the
 * width, so a drop is then measured against the upper side (the intervals are symmetric before
 * clipping).
 * @throws RangeError when the point has no interval at the rule's level.
 */
export function classify(
  actual: number,
  point: ForecastPoint,
  rule: AnomalyRule = DEFAULT_ANOMALY_RULE,
): AnomalyVerdict {
  const interval = point.intervals.find((candidate) => candidate.level === rule.level);
  if (!interval) {
    throw new RangeError(
      `the forecast point has no ${rule.level} interval (levels: ${point.intervals.map((i) => i.level).join(', ')})`,
    );
  }
  const expected = { level: rule.level, lower: interval.lower, upper: interval.upper };
  const deviation = actual - point.mean;
  const direction: AnomalyDirection = deviation > 0 ? 'spike' : 'drop';
  const upperWidth = interval.upper - point.mean;
  const width = direction === 'spike' || interval.lower <= 0 ? upperWidth : point.mean - interval.lower;
  const score = deviation === 0 ? 0 : width > 0 ? Math.abs(deviation) / width : Number.POSITIVE_INFINITY;
  if (score <= rule.warningRatio) return { anomalous: false, score, expected };
  const severity: AnomalySeverity = score > rule.criticalRatio ? 'critical' : 'warning';
  return { anomalous: true, severity, direction, score, expected };
}
