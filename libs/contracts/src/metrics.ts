import { Type, type Static } from '@sinclair/typebox';

/** Window sizes the aggregator emits (event-time tumbling windows, UTC). */
export const GRANULARITIES = { '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
export type Granularity = keyof typeof GRANULARITIES;
export const GRANULARITY_NAMES = Object.keys(GRANULARITIES) as Granularity[];

/**
 * Additive metrics of a window partial (DESIGN.md, aggregator). They merge across partitions by
 * addition. Counts per event type; `purchases` are line items, `orders` distinct order ids among
 * them (an order whose lines fall into two windows counts in both); `units`, `revenue` (purchases)
 * and `refund_amount` (refunds) are in minor units of the tenant's base currency.
 */
export const SUM_METRICS = [
  'events',
  'page_views',
  'product_views',
  'add_to_cart',
  'remove_from_cart',
  'checkouts',
  'purchases',
  'orders',
  'units',
  'revenue',
  'refunds',
  'refund_amount',
] as const;
export type SumMetric = (typeof SUM_METRICS)[number];

/**
 * Distinct counts, kept as mergeable sketches (@pulse/sketches: exact up to a threshold, then
 * HyperLogLog). They merge across partitions and windows by union, never by addition.
 * The funnel stages count distinct sessions with at least one event of the stage's type:
 * viewed = product_view, added = add_to_cart, checked_out = checkout, purchased = purchase.
 */
export const SKETCH_METRICS = [
  'unique_users',
  'unique_sessions',
  'funnel_viewed',
  'funnel_added',
  'funnel_checked_out',
  'funnel_purchased',
] as const;
export type SketchMetric = (typeof SKETCH_METRICS)[number];

export type Metric = SumMetric | SketchMetric;
export const METRICS: readonly Metric[] = [...SUM_METRICS, ...SKETCH_METRICS];

/** The dimension that every event counts towards. */
export const DIMENSION_ALL = 'all';
/** Dimension kinds besides `all`; a dimension is `<kind>:<value>` (e.g. `product:SKU-1`). */
export const DIMENSION_KINDS = ['product', 'category', 'country', 'channel'] as const;
export type DimensionKind = (typeof DIMENSION_KINDS)[number];
/**
 * When a window already holds the configured maximum of distinct values of one kind, further
 * values of that kind are folded into `<kind>:__other__` (never dropped, never out of memory).
 */
export const OVERFLOW_VALUE = '__other__';

export function dimensionOf(kind: DimensionKind, value: string): string {
  return `${kind}:${value}`;
}

/** The kind of a dimension (`all` for the all-events dimension). */
export function dimensionKind(dimension: string): DimensionKind | typeof DIMENSION_ALL {
  if (dimension === DIMENSION_ALL) return DIMENSION_ALL;
  const kind = dimension.slice(0, dimension.indexOf(':'));
  if (!(DIMENSION_KINDS as readonly string[]).includes(kind)) throw new Error(`unknown dimension ${dimension}`);
  return kind as DimensionKind;
}

/**
 * One aggregator emission on `pulse.agg.<partition>`: the *full* state of one
 * (tenant, granularity, window, dimension, partition) — never a delta — with a version that only
 * grows (the clean-stream sequence of the last event folded into it), so the store can upsert it
 * with `USING TIMESTAMP version` and replays and redeliveries overwrite, never add. Two partials
 * of the same row with the same version are identical.
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
    /** true on the last emission: the partition's watermark passed window end + allowed lateness */
    closed: Type.Boolean(),
    /** every SUM_METRICS key, integers ≥ 0 */
    metrics: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
    /** every SKETCH_METRICS key: a DistinctSketch (@pulse/sketches) serialized, base64 */
    sketches: Type.Record(Type.String(), Type.String()),
  },
  { additionalProperties: false },
);
export type WindowPartialV1 = Static<typeof WindowPartialV1Schema>;

export function windowStart(epochMs: number, granularity: Granularity): number {
  const size = GRANULARITIES[granularity];
  return Math.floor(epochMs / size) * size;
}
