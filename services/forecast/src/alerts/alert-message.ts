import { alertId, GRANULARITIES, type AlertModel, type AlertV1 } from '@pulse/contracts';
import { type AnomalyVerdict, type ForecastPoint, type ModelName } from '@pulse/forecasting';

import { type SeriesRef } from '../forecasting/forecast-requests.js';

/** A watched series of a tenant. */
export interface WatchedSeries extends SeriesRef {
  readonly tenant: string;
}

// The alert contract (@pulse/contracts) lists the models by name; it must name exactly the models
// the watcher can fit, or an alert of a new model would fail its own schema.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const MODELS_MATCH: Same<AlertModel, ModelName> = true;
void MODELS_MATCH;

/** The alert for a window the anomaly rule found anomalous (schema AlertV1Schema of @pulse/contracts). */
export function buildAlert(
  series: WatchedSeries,
  windowStart: number,
  actual: number,
  point: ForecastPoint,
  verdict: Extract<AnomalyVerdict, { anomalous: true }>,
  model: ModelName,
  raisedAt: number,
): AlertV1 {
  return {
    v: 1,
    id: alertId(series, windowStart),
    tenant: series.tenant,
    metric: series.metric,
    dimension: series.dimension,
    granularity: series.granularity,
    window_start: windowStart,
    window_end: windowStart + GRANULARITIES[series.granularity],
    severity: verdict.severity,
    direction: verdict.direction,
    actual,
    expected: {
      mean: point.mean,
      lower: verdict.expected.lower,
      upper: verdict.expected.upper,
      level: verdict.expected.level,
    },
    score: Number.isFinite(verdict.score) ? verdict.score : null,
    model,
    raised_at: raisedAt,
  };
}
