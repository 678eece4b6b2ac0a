import { DIMENSION_ALL } from '@pulse/contracts';

import { type WatchedSeries } from '../alerts/alert-message.js';
import { type WatchLists } from '../forecast.config.js';

/**
 * The series the watcher checks for a tenant: every watched metric at every watched granularity
 * for `all`, the configured dimensions and the tenant's current top products (without the
 * aggregator's `product:__other__` overflow bucket, which is not a product), each series once.
 */
export function watchedSeries(tenant: string, lists: WatchLists, topProducts: readonly string[]): WatchedSeries[] {
  const dimensions = [
    ...new Set([DIMENSION_ALL, ...lists.dimensions, ...topProducts.filter((d) => !d.endsWith(':__other__'))]),
  ];
  return lists.granularities.flatMap((granularity) =>
    dimensions.flatMap((dimension) => lists.metrics.map((metric) => ({ tenant, metric, dimension, granularity }))),
  );
}

/** The key of a series in the watcher's state. */
export function seriesKey(series: WatchedSeries): string {
  return `${series.tenant}\u0000${series.metric}\u0000${series.dimension}\u0000${series.granularity}`;
}
