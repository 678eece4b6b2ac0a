import { SKETCH_METRICS, SUM_METRICS, type SketchMetric, type SumMetric, type WindowPartialV1 } from '@pulse/contracts';

import { type PartialState } from './partial-merge.js';

/**
 * The value columns of a stored partial, in the order `partialValues` binds them. Both partial
 * tables have exactly these (migration 2), named as the contract names the metrics.
 */
export const VALUE_COLUMNS: readonly string[] = ['closed', ...SUM_METRICS, ...SKETCH_METRICS];

/**
 * Bind values for VALUE_COLUMNS. Every column gets a value: an unset column would keep an older
 * partial's cell, and a null would write a tombstone, which wins over a value of equal timestamp.
 */
export function partialValues(partial: WindowPartialV1): unknown[] {
  return [
    partial.closed,
    ...SUM_METRICS.map((metric) => {
      const value = partial.metrics[metric];
      if (value === undefined) throw new Error(`partial misses metrics.${metric}`);
      return value;
    }),
    ...SKETCH_METRICS.map((metric) => {
      const value = partial.sketches[metric];
      if (value === undefined) throw new Error(`partial misses sketches.${metric}`);
      return Buffer.from(value, 'base64');
    }),
  ];
}

/** What cassandra-driver's Row offers that decoding needs. */
export interface CqlRow {
  get(column: string): unknown;
}

/** Reads the selected columns of a row back into a PartialState (null reads as absent). */
export function partialState(
  row: CqlRow,
  metrics: readonly SumMetric[] = SUM_METRICS,
  sketches: readonly SketchMetric[] = SKETCH_METRICS,
): PartialState {
  const state: PartialState = { closed: row.get('closed') === true, metrics: {}, sketches: {} };
  for (const metric of metrics) {
    const value = row.get(metric);
    if (value !== null && value !== undefined) state.metrics[metric] = toNumber(value);
  }
  for (const metric of sketches) {
    const value = row.get(metric);
    if (value instanceof Uint8Array) state.sketches[metric] = value;
  }
  return state;
}

/** bigint columns come back as the driver's Long. */
function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && 'toNumber' in value && typeof value.toNumber === 'function') {
    return (value as { toNumber(): number }).toNumber();
  }
  return Number(value);
}
