import { Type, type Static } from '@sinclair/typebox';

/** Window sizes the aggregator emits (event-time tumbling windows, UTC). */
export const GRANULARITIES = { '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
export type Granularity = keyof typeof GRANULARITIES;

/** Additive metrics of a window partial (DESIGN.md, aggregator). Sums merge by addition. */
export const SUM_METRICS = [
  'events',
  'page_views',
  'product_views',
  'add_to_cart',
  'checkouts',
  'purchases',
  'orders',
  'units',
  'revenue',
  'refunds',
  'refund_amount',
] as const;
export type SumMetric = (typeof SUM_METRICS)[number];

/** The dimension that every event counts towards. */
export const DIMENSION_ALL = 'all';

/**
 * One aggregator emission on `pulse.agg.<partition>`: the *full* state of one
 * (tenant, granularity, window, dimension, partition) — never a delta — with a version that only
 * grows, so the store can upsert it with `USING TIMESTAMP version` and redeliveries overwrite.
 */
export const WindowPartialV1Schema = Type.Object(
  {
    v: Type.Literal(1),
    tenant: Type.String(),
    granularity: Type.Union([Type.Literal('1m'), Type.Literal('1h'), Type.Literal('1d')]),
    /** window start, epoch ms UTC */
    window_start: Type.Integer(),
    dimension: Type.String(),
    partition: Type.Integer({ minimum: 0 }),
    version: Type.Integer({ minimum: 1 }),
    metrics: Type.Record(Type.String(), Type.Integer()),
  },
  { additionalProperties: false },
);
export type WindowPartialV1 = Static<typeof WindowPartialV1Schema>;

export function windowStart(epochMs: number, granularity: Granularity): number {
  const size = GRANULARITIES[granularity];
  return Math.floor(epochMs / size) * size;
}
