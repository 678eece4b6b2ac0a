import { GRANULARITIES } from '@pulse/contracts';
import { MODEL_NAMES, type AnomalyVerdict, type ForecastPoint, type ModelName } from '@pulse/forecasting';

import { Type, type Static } from '@sinclair/typebox';
import { Ajv } from 'ajv';

import { type SeriesRef } from '../forecasting/forecast-requests.js';

/** A watched series of a tenant. */
export interface WatchedSeries extends SeriesRef {
  readonly tenant: string;
}

const Finite = Type.Number();

/**
 * One alert on `pulse.alerts.<tenant>` (JSON, published with Nats-Msg-Id = `id`): an anomaly in a
 * closed window of a watched series. Kept in this service until something besides it reads the
 * subject; then it belongs in libs/contracts next to the other message contracts.
 */
export const AlertV1Schema = Type.Object(
  {
    v: Type.Literal(1),
    /** `<tenant>:<metric>:<dimension>:<granularity>:<window_start>`, also the Nats-Msg-Id. */
    id: Type.String(),
    tenant: Type.String(),
    metric: Type.String(),
    dimension: Type.String(),
    granularity: Type.Union([Type.Literal('1m'), Type.Literal('1h'), Type.Literal('1d')]),
    /** epoch ms UTC, inclusive */
    window_start: Type.Integer(),
    /** epoch ms UTC, exclusive */
    window_end: Type.Integer(),
    severity: Type.Union([Type.Literal('warning'), Type.Literal('critical')]),
    direction: Type.Union([Type.Literal('spike'), Type.Literal('drop')]),
    actual: Finite,
    /** The forecast: mean and the interval at `level` (0.95). */
    expected: Type.Object({ mean: Finite, lower: Finite, upper: Finite, level: Finite }),
    /** |actual − mean| in interval half-widths; null when infinite (a departure from an all-zero forecast). */
    score: Type.Union([Finite, Type.Null()]),
    model: Type.Union(MODEL_NAMES.map((name) => Type.Literal(name))),
    /** epoch ms of the watcher's clock when it raised the alert */
    raised_at: Type.Integer(),
  },
  { additionalProperties: false },
);
export type AlertV1 = Static<typeof AlertV1Schema>;

const matchesSchema = new Ajv({ strict: false }).compile<AlertV1>(AlertV1Schema);

/** The alert's id and Nats-Msg-Id: one alert per series and window, however often it is published. */
export function alertId(series: WatchedSeries, windowStart: number): string {
  return `${series.tenant}:${series.metric}:${series.dimension}:${series.granularity}:${windowStart}`;
}

/** The alert for a window the anomaly rule found anomalous. */
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

/** The alert in a message body, or undefined for anything else. */
export function parseAlert(body: unknown): AlertV1 | undefined {
  return matchesSchema(body) ? body : undefined;
}
