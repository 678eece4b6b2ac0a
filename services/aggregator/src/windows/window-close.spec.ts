import { type CleanEventV1 } from '@pulse/contracts';

import { PartitionAggregator } from './partition-aggregator.js';
import { publishedClosedWindows } from './window-close.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function event(id: string, occurredAt: number, extra: Partial<CleanEventV1> = {}): CleanEventV1 {
  return { v: 1, tenant: 'acme', event_id: id, type: 'page_view', occurred_at: occurredAt, partition: 0, ...extra };
}

describe('publishedClosedWindows', () => {
  const settings = { outOfOrdernessMs: 0, allowedLatenessMs: 0, maxValuesPerKind: 10 };

  it('lists each closed window once, with its end, however many rows it had', () => {
    const state = new PartitionAggregator(0, settings);
    state.fold(event('a', T0 + 1_000, { channel: 'web' }), 1); // two rows: all and channel:web
    state.collect();
    state.fold(event('b', T0 + MINUTE + 1_000), 2); // the watermark passes the first minute's end
    const emission = state.collect();
    const closed = publishedClosedWindows(emission);
    expect(closed).toEqual([{ granularity: '1m', end: T0 + MINUTE }]);
    expect(emission.origins.filter((origin) => !Array.isArray(origin)).length).toBeGreaterThan(1);
  });

  it('leaves out a window one of whose final partials failed to publish', () => {
    const state = new PartitionAggregator(0, settings);
    state.fold(event('a', T0 + 1_000), 1);
    state.collect();
    state.fold(event('b', T0 + MINUTE + 1_000), 2);
    const emission = state.collect();
    const failed = emission.origins.findIndex((origin) => !Array.isArray(origin));
    expect(publishedClosedWindows(emission, [failed])).toEqual([]);
  });

  it('marks the newest event time on partials that make new events visible, not on a closing re-statement', () => {
    const state = new PartitionAggregator(0, settings);
    state.fold(event('a', T0 + 1_000), 1);
    state.fold(event('c', T0 + 500), 2);
    const open = state.collect();
    expect(new Set(open.newestEventAt)).toEqual(new Set([T0 + 1_000]));
    state.fold(event('b', T0 + MINUTE + 1_000), 3);
    const next = state.collect();
    next.partials.forEach((partial, index) => {
      if (partial.closed) expect(next.newestEventAt[index]).toBeUndefined();
      else expect(next.newestEventAt[index]).toBe(T0 + MINUTE + 1_000);
    });
  });
});
