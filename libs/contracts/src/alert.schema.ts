import { Type, type Static } from '@sinclair/typebox';

import { type Granularity } from './metrics.js';

/** The models an alert can name (the forecast service's point models; never `auto`). */
export const ALERT_MODELS = ['seasonal_naive', 'linear', 'holt_winters'] as const;
export type AlertModel = (typeof ALERT_MODELS)[number];

export const ALERT_SEVERITIES = ['warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const ALERT_DIRECTIONS = ['spike', 'drop'] as const;
export type AlertDirection = (typeof ALERT_DIRECTIONS)[number];

const Finite = Type.Number();

/**
 * One alert on `pulse.alerts.<tenant>` (JSON, published by the forecast service's anomaly watcher
 * with Nats-Msg-Id = `id`): an anomaly in a closed window of a watched series
 * (docs/forecast-service.md, "Alert format"). Times are epoch ms UTC; money is in minor units of
 * the tenant's base currency.
 */
export const AlertV1Schema = Type.Object(
  {
    v: Type.Literal(1),
    /** `<tenant>:<metric>:<dimension>:<granularity>:<window_start>` (alertId), also the Nats-Msg-Id. */
    id: Type.String(),
    tenant: Type.String(),
    metric: Type.String(),
    dimension: Type.String(),
    granularity: Type.Union([Type.Literal('1m'), Type.Literal('1h'), Type.Literal('1d')]),
    /** epoch ms UTC, inclusive */
    window_start: Type.Integer(),
    /** epoch ms UTC, exclusive */
    window_end: Type.Integer(),
    severity: Type.Union(ALERT_SEVERITIES.map((severity) => Type.Literal(severity))),
    direction: Type.Union(ALERT_DIRECTIONS.map((direction) => Type.Literal(direction))),
    actual: Finite,
    /** The forecast: mean and the interval at `level` (0.95). */
    expected: Type.Object({ mean: Finite, lower: Finite, upper: Finite, level: Finite }),
    /** |actual − mean| in interval half-widths; null when infinite (a departure from an all-zero forecast). */
    score: Type.Union([Finite, Type.Null()]),
    model: Type.Union(ALERT_MODELS.map((name) => Type.Literal(name))),
    /** epoch ms of the watcher's clock when it raised the alert */
    raised_at: Type.Integer(),
  },
  { additionalProperties: false },
);
export type AlertV1 = Static<typeof AlertV1Schema>;

/** The series an alert is about. */
export interface AlertSeries {
  readonly tenant: string;
  readonly metric: string;
  readonly dimension: string;
  readonly granularity: Granularity;
}

/** The alert's id and Nats-Msg-Id: one alert per series and window, however often it is published. */
export function alertId(series: AlertSeries, windowStart: number): string {
  return `${series.tenant}:${series.metric}:${series.dimension}:${series.granularity}:${windowStart}`;
}
