import { SKETCH_METRICS, SUM_METRICS, type Metric, type SketchMetric, type SumMetric } from '@pulse/contracts';
import { DistinctSketch } from '@pulse/sketches';

/**
 * One stored partial as read back: the full state of one (window, dimension, partition). A read
 * may fetch only some columns; absent metrics and sketches contribute nothing to a merge (a
 * column never written — e.g. a row from before migration 2 — reads as null and counts as 0 or
 * as the empty set).
 */
export interface PartialState {
  closed: boolean;
  metrics: Partial<Record<SumMetric, number>>;
  sketches: Partial<Record<SketchMetric, Uint8Array>>;
}

/** Several partials merged: sums added, sketches unioned (never added: they overlap). */
export interface Totals {
  metrics: Record<SumMetric, number>;
  /** The union sketch per distinct metric, to merge further (e.g. across windows). */
  sketches: Record<SketchMetric, DistinctSketch>;
  /** `sketches[m].count()`: exact up to 256 distinct values, else HyperLogLog (≈ 1.6 % error). */
  distinct: Record<SketchMetric, number>;
  /** How many partition partials were merged. */
  partials: number;
  /**
   * Every merged partial was its partition's last emission. A partition that saw no event in the
   * window emits nothing, so this cannot tell whether more partitions will still report.
   */
  closed: boolean;
}

export interface WindowTotals extends Totals {
  windowStart: number;
}

export interface DimensionTotals extends Totals {
  dimension: string;
}

/** Folds partials into totals. Order does not matter: addition and union are commutative. */
export class TotalsAccumulator {
  private readonly sums = Object.fromEntries(SUM_METRICS.map((metric) => [metric, 0])) as Record<SumMetric, number>;
  private readonly unions = new Map<SketchMetric, DistinctSketch>();
  private partials = 0;
  private closed = true;

  add(state: PartialState): this {
    // Only the metrics the partial carries (a read may fetch one column of ~23,000 rows).
    for (const metric in state.metrics) this.sums[metric as SumMetric] += state.metrics[metric as SumMetric] ?? 0;
    for (const metric in state.sketches) {
      const bytes = state.sketches[metric as SketchMetric];
      if (!bytes || bytes.length === 0) continue;
      const sketch = DistinctSketch.decode(bytes);
      const union = this.unions.get(metric as SketchMetric);
      if (union) union.merge(sketch);
      else this.unions.set(metric as SketchMetric, sketch);
    }
    this.partials += 1;
    this.closed &&= state.closed;
    return this;
  }

  /** Adds an already merged total (e.g. one window's) into this one. */
  addTotals(totals: Totals): this {
    for (const metric of SUM_METRICS) this.sums[metric] += totals.metrics[metric];
    for (const metric of SKETCH_METRICS) this.sketch(metric).merge(totals.sketches[metric]);
    this.partials += totals.partials;
    this.closed &&= totals.closed;
    return this;
  }

  private sketch(metric: SketchMetric): DistinctSketch {
    let union = this.unions.get(metric);
    if (!union) {
      union = new DistinctSketch();
      this.unions.set(metric, union);
    }
    return union;
  }

  totals(): Totals {
    const sketches = Object.fromEntries(SKETCH_METRICS.map((metric) => [metric, this.sketch(metric)])) as Record<
      SketchMetric,
      DistinctSketch
    >;
    const distinct = Object.fromEntries(SKETCH_METRICS.map((metric) => [metric, sketches[metric].count()])) as Record<
      SketchMetric,
      number
    >;
    return { metrics: { ...this.sums }, sketches, distinct, partials: this.partials, closed: this.closed };
  }
}

/** Merges partials that share a key (window start, dimension, …) into one accumulator per key. */
export class KeyedTotals<K> {
  private readonly byKey = new Map<K, TotalsAccumulator>();

  add(key: K, state: PartialState): this {
    let accumulator = this.byKey.get(key);
    if (!accumulator) {
      accumulator = new TotalsAccumulator();
      this.byKey.set(key, accumulator);
    }
    accumulator.add(state);
    return this;
  }

  /** Keys in ascending order with their totals. */
  entries(compare: (a: K, b: K) => number): [K, Totals][] {
    return [...this.byKey.entries()]
      .sort(([a], [b]) => compare(a, b))
      .map(([key, accumulator]) => [key, accumulator.totals()]);
  }
}

/** The value of one metric in merged totals: the sum, or the distinct count. */
export function metricValue(totals: Totals, metric: Metric): number {
  return isSketchMetric(metric) ? totals.distinct[metric] : totals.metrics[metric];
}

export function isSketchMetric(metric: string): metric is SketchMetric {
  return (SKETCH_METRICS as readonly string[]).includes(metric);
}

export function isSumMetric(metric: string): metric is SumMetric {
  return (SUM_METRICS as readonly string[]).includes(metric);
}

/** Top-N: the dimensions with the largest value of `metric`, ties broken by dimension name. */
export function rankDimensions(
  dimensions: readonly DimensionTotals[],
  metric: Metric,
  limit: number,
): DimensionTotals[] {
  return [...dimensions]
    .sort(
      (a, b) =>
        metricValue(b, metric) - metricValue(a, metric) ||
        (a.dimension < b.dimension ? -1 : a.dimension > b.dimension ? 1 : 0),
    )
    .slice(0, Math.max(0, limit));
}
