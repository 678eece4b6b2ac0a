import {
  DIMENSION_ALL,
  GRANULARITIES,
  SKETCH_METRICS,
  SUM_METRICS,
  windowStart,
  type Granularity,
  type SketchMetric,
  type SumMetric,
  type WindowPartialV1,
} from '@pulse/contracts';

import { sketchOf } from '../partials/window-partial.fixture.js';

/**
 * A small synthetic shop for the query API's integration tests: events (the truth), the window
 * partials an aggregator would emit for them (what the store is fed), and nothing else — the
 * tests compute their expectations from the events, independently of the store's merging.
 * Test-only: `*.fixture.ts` files are not built.
 */
export interface ShopEvent {
  at: number;
  type: 'page_view' | 'product_view' | 'add_to_cart' | 'checkout' | 'purchase';
  user: string;
  session: string;
  product?: string;
  category?: string;
  country: string;
  channel: string;
  /** Minor units, purchases only. */
  amount: number;
}

/** Deterministic pseudo-random numbers (mulberry32), so every run sees the same shop. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const TYPES: ShopEvent['type'][] = ['page_view', 'product_view', 'product_view', 'add_to_cart', 'checkout', 'purchase'];
const COUNTRIES = ['DE', 'FR', 'GB', 'NL', 'SE'];
const CHANNELS = ['web', 'ios', 'android'];

export function shopEvents(options: {
  seed: number;
  count: number;
  from: number;
  to: number;
  users: number;
  sessions: number;
  products: number;
}): ShopEvent[] {
  const next = random(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return Array.from({ length: options.count }, () => {
    const type = pick(TYPES);
    const product = type === 'page_view' ? undefined : `SKU-${Math.floor(next() ** 2 * options.products)}`;
    const session = Math.floor(next() * options.sessions);
    return {
      at: options.from + Math.floor(next() * (options.to - options.from)),
      type,
      user: `u-${session % options.users}`,
      session: `s-${session}`,
      product,
      category: product ? `cat-${Number(product.slice(4)) % 4}` : undefined,
      country: pick(COUNTRIES),
      channel: pick(CHANNELS),
      amount: type === 'purchase' ? 100 + Math.floor(next() * 9_900) : 0,
    };
  });
}

export function dimensionsOf(event: ShopEvent): string[] {
  return [
    DIMENSION_ALL,
    ...(event.product ? [`product:${event.product}`, `category:${event.category}`] : []),
    `country:${event.country}`,
    `channel:${event.channel}`,
  ];
}

export function partitionOf(event: ShopEvent, partitions: number): number {
  let hash = 0;
  for (const char of event.user) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % partitions;
}

const FUNNEL_OF: Partial<Record<ShopEvent['type'], SketchMetric>> = {
  product_view: 'funnel_viewed',
  add_to_cart: 'funnel_added',
  checkout: 'funnel_checked_out',
  purchase: 'funnel_purchased',
};

interface RowState {
  metrics: Record<SumMetric, number>;
  sets: Record<SketchMetric, Set<string>>;
}

/** Adds one event to a row's metrics and distinct sets (the aggregator's definitions, for this shop). */
function fold(row: RowState, event: ShopEvent): void {
  row.metrics.events += 1;
  if (event.type === 'page_view') row.metrics.page_views += 1;
  if (event.type === 'product_view') row.metrics.product_views += 1;
  if (event.type === 'add_to_cart') row.metrics.add_to_cart += 1;
  if (event.type === 'checkout') row.metrics.checkouts += 1;
  if (event.type === 'purchase') {
    row.metrics.purchases += 1;
    row.metrics.units += 1;
    row.metrics.revenue += event.amount;
  }
  row.sets.unique_users.add(event.user);
  row.sets.unique_sessions.add(event.session);
  const stage = FUNNEL_OF[event.type];
  if (stage) row.sets[stage].add(event.session);
}

/**
 * The partials of every (granularity, window, dimension, partition) the events touch, each
 * closed, with distinct growing versions.
 */
export function partialsOf(tenant: string, events: readonly ShopEvent[], partitions: number): WindowPartialV1[] {
  const rows = new Map<
    string,
    { key: Omit<WindowPartialV1, 'metrics' | 'sketches' | 'version' | 'v' | 'closed'>; state: RowState }
  >();
  for (const event of events) {
    const partition = partitionOf(event, partitions);
    for (const granularity of Object.keys(GRANULARITIES) as Granularity[]) {
      const start = windowStart(event.at, granularity);
      for (const dimension of dimensionsOf(event)) {
        const id = `${granularity}|${start}|${dimension}|${partition}`;
        let row = rows.get(id);
        if (!row) {
          row = {
            key: { tenant, granularity, window_start: start, dimension, partition },
            state: {
              metrics: Object.fromEntries(SUM_METRICS.map((metric) => [metric, 0])) as RowState['metrics'],
              sets: Object.fromEntries(SKETCH_METRICS.map((metric) => [metric, new Set<string>()])) as RowState['sets'],
            },
          };
          rows.set(id, row);
        }
        fold(row.state, event);
      }
    }
  }
  return [...rows.values()].map(({ key, state }, index) => ({
    v: 1,
    ...key,
    version: index + 1,
    closed: true,
    metrics: state.metrics,
    sketches: Object.fromEntries(SKETCH_METRICS.map((metric) => [metric, sketchOf(state.sets[metric]).toBase64()])),
  }));
}
