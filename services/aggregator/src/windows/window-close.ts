import { GRANULARITIES, type Granularity } from '@pulse/contracts';

import { type Emission } from './partition-aggregator.js';

export interface ClosedWindow {
  granularity: Granularity;
  /** epoch ms: window start + its size */
  end: number;
}

/**
 * The windows an emission closed whose final partials were all published (`failed`: indexes of
 * partials that were not): each once, however many rows it had. A window with a failed partial is
 * requeued whole and counted when a later emission publishes it.
 */
export function publishedClosedWindows(emission: Emission, failed: Iterable<number> = []): ClosedWindow[] {
  const failedIndexes = new Set(failed);
  const windows = new Map<object, { granularity: Granularity; start: number; ok: boolean }>();
  emission.origins.forEach((origin, index) => {
    if (Array.isArray(origin)) return;
    const seen = windows.get(origin) ?? { granularity: origin.granularity, start: origin.start, ok: true };
    if (failedIndexes.has(index)) seen.ok = false;
    windows.set(origin, seen);
  });
  return [...windows.values()]
    .filter((window) => window.ok)
    .map(({ granularity, start }) => ({ granularity, end: start + GRANULARITIES[granularity] }));
}
