import {
  SKETCH_METRICS,
  SUM_METRICS,
  type CleanEventV1,
  type Granularity,
  type SketchMetric,
  type SumMetric,
  type WindowPartialV1,
} from '@pulse/contracts';
import { DistinctSketch } from '@pulse/sketches';

const SUM_INDEX = Object.fromEntries(SUM_METRICS.map((metric, index) => [metric, index])) as Record<SumMetric, number>;
const SKETCH_INDEX = Object.fromEntries(SKETCH_METRICS.map((metric, index) => [metric, index])) as Record<
  SketchMetric,
  number
>;

/** Which count an event type adds to, and which funnel stage its session reaches. */
const TYPE_COUNT: Record<CleanEventV1['type'], SumMetric> = {
  page_view: 'page_views',
  product_view: 'product_views',
  add_to_cart: 'add_to_cart',
  remove_from_cart: 'remove_from_cart',
  checkout: 'checkouts',
  purchase: 'purchases',
  refund: 'refunds',
};
const FUNNEL_STAGE: Partial<Record<CleanEventV1['type'], SketchMetric>> = {
  product_view: 'funnel_viewed',
  add_to_cart: 'funnel_added',
  checkout: 'funnel_checked_out',
  purchase: 'funnel_purchased',
};

/** The distinct keys of one event, hashed once and shared by every row the event folds into. */
export interface EventKeys {
  user?: string;
  session?: string;
}

/** What a row keeps in a checkpoint. */
export interface WindowRowSnapshot {
  dimension: string;
  version: number;
  sums: number[];
  orders: string[];
  sketches: string[];
  /** newest occurred_at folded in (absent in checkpoints written before it was kept) */
  newest?: number;
}

/**
 * The metrics of one (tenant, granularity, window, dimension) in one partition: sums, the exact
 * set of order ids behind `orders`, and one DistinctSketch per distinct-count metric. `version`
 * is the stream sequence of the last event folded in.
 */
export class WindowRow {
  version = 0;
  dirty = false;
  /** Newest occurred_at among the events folded in (epoch ms); undefined before the first. */
  newestEventAt?: number;
  private readonly sums: number[] = new Array<number>(SUM_METRICS.length).fill(0);
  private readonly orders = new Set<string>();
  private readonly sketches: DistinctSketch[] = SKETCH_METRICS.map(() => new DistinctSketch());
  /** Encoded sketches, kept until the next fold: a partial and a checkpoint share one encoding. */
  private encoded?: string[];

  constructor(readonly dimension: string) {}

  fold(event: CleanEventV1, keys: EventKeys, sequence: number): void {
    const sums = this.sums;
    sums[SUM_INDEX.events] += 1;
    sums[SUM_INDEX[TYPE_COUNT[event.type]]] += 1;
    if (event.type === 'purchase') {
      sums[SUM_INDEX.units] += event.quantity ?? 1;
      sums[SUM_INDEX.revenue] += event.amount_base_minor ?? 0;
      if (event.order_id !== undefined && !this.orders.has(event.order_id)) {
        this.orders.add(event.order_id);
        sums[SUM_INDEX.orders] += 1;
      }
    } else if (event.type === 'refund') {
      sums[SUM_INDEX.refund_amount] += event.amount_base_minor ?? 0;
    }
    if (keys.user !== undefined) this.sketches[SKETCH_INDEX.unique_users].addKey(keys.user);
    if (keys.session !== undefined) {
      this.sketches[SKETCH_INDEX.unique_sessions].addKey(keys.session);
      const stage = FUNNEL_STAGE[event.type];
      if (stage !== undefined) this.sketches[SKETCH_INDEX[stage]].addKey(keys.session);
    }
    this.version = sequence;
    if (this.newestEventAt === undefined || event.occurred_at > this.newestEventAt)
      this.newestEventAt = event.occurred_at;
    this.dirty = true;
    this.encoded = undefined;
  }

  private encodedSketches(): string[] {
    this.encoded ??= this.sketches.map((sketch) => sketch.toBase64());
    return this.encoded;
  }

  partial(
    header: { tenant: string; granularity: Granularity; windowStart: number; partition: number },
    closed: boolean,
    version = this.version,
  ): WindowPartialV1 {
    const metrics: Record<string, number> = {};
    SUM_METRICS.forEach((metric, index) => (metrics[metric] = this.sums[index]));
    const sketches: Record<string, string> = {};
    const encoded = this.encodedSketches();
    SKETCH_METRICS.forEach((metric, index) => (sketches[metric] = encoded[index]));
    return {
      v: 1,
      tenant: header.tenant,
      granularity: header.granularity,
      window_start: header.windowStart,
      dimension: this.dimension,
      partition: header.partition,
      version,
      closed,
      metrics,
      sketches,
    };
  }

  snapshot(): WindowRowSnapshot {
    return {
      dimension: this.dimension,
      version: this.version,
      sums: [...this.sums],
      orders: [...this.orders],
      sketches: [...this.encodedSketches()],
      ...(this.newestEventAt === undefined ? {} : { newest: this.newestEventAt }),
    };
  }

  static restore(snapshot: WindowRowSnapshot): WindowRow {
    const row = new WindowRow(snapshot.dimension);
    if (snapshot.sums.length !== SUM_METRICS.length || snapshot.sketches.length !== SKETCH_METRICS.length) {
      throw new Error(`checkpoint row ${snapshot.dimension} does not match this version's metrics`);
    }
    row.version = snapshot.version;
    row.newestEventAt = snapshot.newest;
    snapshot.sums.forEach((value, index) => (row.sums[index] = value));
    for (const order of snapshot.orders) row.orders.add(order);
    snapshot.sketches.forEach((text, index) => (row.sketches[index] = DistinctSketch.fromBase64(text)));
    row.encoded = [...snapshot.sketches];
    return row;
  }
}
