import { type CleanEventV1, type WindowPartialV1 } from '@pulse/contracts';
import { DistinctSketch } from '@pulse/sketches';

import fc from 'fast-check';

import { ownedPartitions, PartitionAggregator, type WindowSettings } from './partition-aggregator.js';

const second = 1_000;
const minute = 60_000;
const hour = 3_600_000;
const day = 86_400_000;
const midnight = Date.UTC(2026, 10, 24);
const settings: WindowSettings = { outOfOrdernessMs: 5 * second, allowedLatenessMs: 2 * minute, maxValuesPerKind: 100 };

let counter = 0;
function event(occurredAt: number, fields: Partial<CleanEventV1> = {}): CleanEventV1 {
  counter += 1;
  return {
    v: 1,
    tenant: 'demo',
    event_id: `e-${counter}`,
    type: 'page_view',
    occurred_at: occurredAt,
    partition: 3,
    ...fields,
  };
}

function byRow(partials: WindowPartialV1[]): Map<string, WindowPartialV1> {
  return new Map(partials.map((p) => [`${p.tenant}|${p.granularity}|${p.window_start}|${p.dimension}`, p]));
}
const row = (granularity: string, start: number, dimension = 'all', tenant = 'demo') =>
  `${tenant}|${granularity}|${start}|${dimension}`;

describe('PartitionAggregator windows', () => {
  it('puts a boundary timestamp in the window that starts there (half-open [start, end))', () => {
    const state = new PartitionAggregator(3, settings);
    state.fold(event(midnight + minute - 1), 1);
    state.fold(event(midnight + minute), 2);
    const partials = byRow(state.collect().partials);
    expect(partials.get(row('1m', midnight))?.metrics.events).toBe(1);
    expect(partials.get(row('1m', midnight + minute))?.metrics.events).toBe(1);
    expect(partials.get(row('1h', midnight))?.metrics.events).toBe(2);
  });

  it('splits UTC days at midnight, whatever the hour windows look like', () => {
    const state = new PartitionAggregator(0, { ...settings, allowedLatenessMs: day });
    state.fold(event(midnight - 1), 1);
    state.fold(event(midnight), 2);
    state.fold(event(midnight + day - 1), 3);
    const partials = byRow(state.collect().partials);
    expect(partials.get(row('1d', midnight - day))?.metrics.events).toBe(1);
    expect(partials.get(row('1d', midnight))?.metrics.events).toBe(2);
    expect(partials.get(row('1h', midnight - hour))?.metrics.events).toBe(1);
    expect(partials.get(row('1h', midnight + 23 * hour))?.metrics.events).toBe(1);
  });

  it('counts an out-of-order event that arrives within the allowed lateness', () => {
    const state = new PartitionAggregator(0, settings);
    state.fold(event(midnight + 30 * second), 1);
    state.fold(event(midnight + 2 * minute + 30 * second), 2); // watermark 2:25: minute 0 closes at 3:00
    expect(state.fold(event(midnight + 10 * second), 3)).toBe('counted');
    const partials = byRow(state.collect().partials);
    expect(partials.get(row('1m', midnight))).toMatchObject({ metrics: { events: 2 }, version: 3, closed: false });
  });

  it('drops an event past its window end + allowed lateness into the late side output, counted nowhere', () => {
    const state = new PartitionAggregator(0, settings);
    state.fold(event(midnight + 10 * second), 1);
    state.fold(event(midnight + 3 * minute + 5 * second), 2); // watermark 3:00 = minute 0's end + 2 min
    const late = event(midnight + 59 * second, { type: 'purchase', amount_base_minor: 500, quantity: 1 });
    expect(state.fold(late, 3)).toBe('late');
    const emission = state.collect();
    expect(emission.late).toEqual([{ event: late, sequence: 3, watermark: midnight + 3 * minute }]);
    const partials = byRow(emission.partials);
    expect(partials.get(row('1m', midnight))).toMatchObject({ metrics: { events: 1, revenue: 0 }, closed: true });
    expect(partials.get(row('1h', midnight))?.metrics.events).toBe(2);
    expect(state.lateEventCount).toBe(1);
  });

  it('closes a window once, with a final partial whose version is the sequence that closed it, and releases it', () => {
    const state = new PartitionAggregator(0, settings);
    state.fold(event(midnight + 1 * second, { product_id: 'SKU-1' }), 10);
    state.collect();
    state.fold(event(midnight + 3 * minute + 5 * second), 11);
    const closed = state.collect().partials.filter((p) => p.closed);
    expect(closed.map((p) => [p.granularity, p.dimension, p.version]).sort()).toEqual([
      ['1m', 'all', 11],
      ['1m', 'product:SKU-1', 11],
    ]);
    expect(state.collect().partials).toEqual([]);
    expect(state.openWindowCount).toBe(3); // the hour, the day and the new minute
  });

  it('lets a watermark marker close the windows of an idle partition', () => {
    const state = new PartitionAggregator(0, settings);
    state.fold(event(midnight + 5 * second), 1);
    state.collect();
    state.advance(midnight + 2 * minute, 2);
    expect(state.collect().partials).toEqual([]);
    state.advance(midnight + 3 * minute + 5 * second, 3);
    const partials = state.collect().partials;
    expect(partials.map((p) => [p.granularity, p.closed, p.version])).toEqual([['1m', true, 3]]);
    expect(state.fold(event(midnight + 10 * second), 4)).toBe('late');
  });

  it('emits only changed rows, each the full state with a version that only grows', () => {
    const state = new PartitionAggregator(0, settings);
    state.fold(event(midnight, { product_id: 'A' }), 5);
    const first = byRow(state.collect().partials);
    state.fold(event(midnight + second, { product_id: 'B' }), 6);
    const second_ = byRow(state.collect().partials);
    expect(second_.has(row('1m', midnight, 'product:A'))).toBe(false);
    expect(second_.get(row('1m', midnight))?.metrics.events).toBe(2);
    expect(second_.get(row('1m', midnight))!.version).toBeGreaterThan(first.get(row('1m', midnight))!.version);
  });

  it('keeps tenants apart', () => {
    const state = new PartitionAggregator(0, settings);
    state.fold(event(midnight, { tenant: 'acme' }), 1);
    state.fold(event(midnight, { tenant: 'demo' }), 2);
    state.fold(event(midnight, { tenant: 'demo' }), 3);
    const partials = byRow(state.collect().partials);
    expect(partials.get(row('1m', midnight, 'all', 'acme'))?.metrics.events).toBe(1);
    expect(partials.get(row('1m', midnight, 'all', 'demo'))?.metrics.events).toBe(2);
  });
});

describe('PartitionAggregator metrics', () => {
  it('counts per type, orders by distinct id, units and money in base minor units, and per dimension', () => {
    const state = new PartitionAggregator(0, settings);
    const line = { type: 'purchase', category: 'kitchen', country: 'GB', channel: 'web' } as const;
    state.fold(event(midnight, { ...line, product_id: 'A', order_id: 'o1', quantity: 2, amount_base_minor: 1000 }), 1);
    state.fold(event(midnight, { ...line, product_id: 'B', order_id: 'o1', quantity: 1, amount_base_minor: 250 }), 2);
    state.fold(event(midnight, { ...line, product_id: 'A', order_id: 'o2', quantity: 1, amount_base_minor: 500 }), 3);
    state.fold(event(midnight, { ...line, product_id: 'C', quantity: 1, amount_base_minor: 100 }), 4);
    state.fold(event(midnight, { type: 'refund', product_id: 'A', quantity: 1, amount_base_minor: 500 }), 5);
    state.fold(event(midnight, { type: 'remove_from_cart', product_id: 'A', quantity: 1 }), 6);
    const partials = byRow(state.collect().partials);
    expect(partials.get(row('1d', midnight))?.metrics).toEqual({
      events: 6,
      page_views: 0,
      product_views: 0,
      add_to_cart: 0,
      remove_from_cart: 1,
      checkouts: 0,
      purchases: 4,
      orders: 2,
      units: 5,
      revenue: 1850,
      refunds: 1,
      refund_amount: 500,
    });
    expect(partials.get(row('1d', midnight, 'product:A'))?.metrics).toMatchObject({
      purchases: 2,
      orders: 2,
      units: 3,
      revenue: 1500,
      refunds: 1,
      remove_from_cart: 1,
    });
    expect(partials.get(row('1d', midnight, 'product:B'))?.metrics).toMatchObject({ orders: 1, revenue: 250 });
    expect(partials.get(row('1d', midnight, 'category:kitchen'))?.metrics).toMatchObject({ purchases: 4, orders: 2 });
    expect(partials.get(row('1d', midnight, 'country:GB'))?.metrics.revenue).toBe(1850);
    expect(partials.get(row('1d', midnight, 'channel:web'))?.metrics.events).toBe(4);
  });

  it('counts unique users and sessions and the session funnel as sketches', () => {
    const state = new PartitionAggregator(0, settings);
    const steps: Array<[string, string, CleanEventV1['type']]> = [
      ['u1', 's1', 'product_view'],
      ['u1', 's1', 'add_to_cart'],
      ['u1', 's1', 'checkout'],
      ['u1', 's1', 'purchase'],
      ['u1', 's2', 'product_view'],
      ['u2', 's3', 'product_view'],
      ['u2', 's3', 'add_to_cart'],
      ['u2', 's3', 'product_view'],
    ];
    steps.forEach(([user, session, type], index) =>
      state.fold(event(midnight + index, { user_key: `k1:${user}`, session_id: session, type }), index + 1),
    );
    const all = byRow(state.collect().partials).get(row('1m', midnight))!;
    const counts = Object.fromEntries(
      Object.entries(all.sketches).map(([metric, text]) => [metric, DistinctSketch.fromBase64(text).count()]),
    );
    expect(counts).toEqual({
      unique_users: 2,
      unique_sessions: 3,
      funnel_viewed: 3,
      funnel_added: 2,
      funnel_checked_out: 1,
      funnel_purchased: 1,
    });
  });

  it('folds values past the per-window cap of a kind into <kind>:__other__', () => {
    const state = new PartitionAggregator(0, { ...settings, maxValuesPerKind: 2 });
    for (const [index, product] of ['A', 'B', 'C', 'D', 'A'].entries()) {
      state.fold(event(midnight, { product_id: product }), index + 1);
    }
    const partials = byRow(state.collect().partials);
    expect(partials.get(row('1m', midnight, 'product:A'))?.metrics.events).toBe(2);
    expect(partials.get(row('1m', midnight, 'product:B'))?.metrics.events).toBe(1);
    expect(partials.get(row('1m', midnight, 'product:__other__'))?.metrics.events).toBe(2);
    expect(partials.has(row('1m', midnight, 'product:C'))).toBe(false);
  });
});

describe('PartitionAggregator checkpoints and emission failures', () => {
  it('re-emits a failed emission (rows, closed windows and late events) on the next collect', () => {
    const state = new PartitionAggregator(0, settings);
    state.fold(event(midnight), 1);
    state.fold(event(midnight + 4 * minute), 2);
    state.fold(event(midnight), 3); // late
    const failed = state.collect();
    state.requeue(failed);
    const retried = state.collect();
    expect(byRow(retried.partials)).toEqual(byRow(failed.partials));
    expect(retried.late).toEqual(failed.late);
  });

  it('emits hour and day rows only on a full collect, and snapshots only after one', () => {
    const state = new PartitionAggregator(0, settings);
    state.fold(event(midnight), 1);
    expect(state.collect({ coarse: false }).partials.map((p) => p.granularity)).toEqual(['1m']);
    expect(() => state.snapshot()).toThrow(/full collect/);
    expect(
      state
        .collect({ coarse: true })
        .partials.map((p) => p.granularity)
        .sort(),
    ).toEqual(['1d', '1h']);
    expect(state.snapshot().sequence).toBe(1);
  });

  it('re-emits only the partials and late events whose publish failed', () => {
    const state = new PartitionAggregator(0, settings);
    state.fold(event(midnight, { product_id: 'A' }), 1);
    state.fold(event(midnight + 4 * minute), 2); // closes minute 0 (rows all and product:A)
    state.fold(event(midnight), 3); // late
    const first = state.collect();
    const closedIndex = first.partials.findIndex((p) => p.closed && p.dimension === 'all');
    const openIndex = first.partials.findIndex((p) => !p.closed && p.granularity === '1m');
    state.requeue(first, { partials: [closedIndex, openIndex], late: [] });
    const retried = state.collect();
    expect(retried.late).toEqual([]);
    expect(retried.partials.map((p) => `${p.granularity}|${p.window_start}|${p.dimension}|${p.closed}`).sort()).toEqual(
      [
        `1m|${midnight + 4 * minute}|all|false`,
        `1m|${midnight}|all|true`,
        `1m|${midnight}|product:A|true`, // a closed window goes out whole again
      ].sort(),
    );
  });

  it('refuses a snapshot while anything is unpublished', () => {
    const state = new PartitionAggregator(0, settings);
    state.fold(event(midnight), 1);
    state.fold(event(midnight + 4 * minute), 2);
    expect(() => state.snapshot()).toThrow(/collect/);
  });

  // The exactly-once argument: restoring a checkpoint and replaying what followed it gives the
  // same partials, with the same versions, as the run that never stopped.
  it('restore + replay from the checkpoint equals an uninterrupted run (property)', () => {
    const eventArb = fc.record({
      offset: fc.integer({ min: 0, max: 20 * minute }),
      jitter: fc.integer({ min: -4 * minute, max: 0 }),
      type: fc.constantFrom<CleanEventV1['type']>('page_view', 'product_view', 'add_to_cart', 'purchase', 'refund'),
      product: fc.constantFrom('A', 'B', 'C'),
      user: fc.constantFrom('u1', 'u2', 'u3', 'u4'),
      amount: fc.integer({ min: 0, max: 10_000 }),
    });
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 2, maxLength: 80 }), fc.nat(), (specs, cut) => {
        const events = specs
          .sort((a, b) => a.offset - b.offset)
          .map((s, index) =>
            event(midnight + s.offset + s.jitter, {
              type: s.type,
              product_id: s.product,
              user_key: `k1:${s.user}`,
              session_id: `${s.user}-s`,
              order_id: `o-${index % 7}`,
              quantity: 1,
              amount_base_minor: s.amount,
            }),
          );
        const at = cut % events.length;
        const emitted = (state: PartitionAggregator, from: number, to: number, sink: WindowPartialV1[]) => {
          for (let i = from; i < to; i += 1) {
            state.fold(events[i], i + 1);
            if (i % 5 === 0) sink.push(...state.collect().partials);
          }
          sink.push(...state.collect().partials);
        };
        const straight: WindowPartialV1[] = [];
        emitted(new PartitionAggregator(0, settings), 0, events.length, straight);

        const crashed: WindowPartialV1[] = [];
        const first = new PartitionAggregator(0, settings);
        emitted(first, 0, at, crashed);
        const checkpoint = JSON.parse(JSON.stringify(first.snapshot()));
        emitted(PartitionAggregator.restore(checkpoint, settings), at, events.length, crashed);

        // What the store keeps per row: the partial with the highest version.
        const latest = (partials: WindowPartialV1[]) => {
          const rows = new Map<string, WindowPartialV1>();
          for (const p of partials) {
            const key = `${p.granularity}|${p.window_start}|${p.dimension}`;
            if ((rows.get(key)?.version ?? -1) <= p.version) rows.set(key, p);
          }
          return rows;
        };
        expect(latest(crashed)).toEqual(latest(straight));
        // Two partials of one row with one version are identical (Cassandra's tie rule never applies).
        const seen = new Map<string, string>();
        for (const p of [...straight, ...crashed]) {
          const key = `${p.granularity}|${p.window_start}|${p.dimension}|${p.version}`;
          const body = JSON.stringify(p);
          expect(seen.get(key) ?? body).toBe(body);
          seen.set(key, body);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('ownedPartitions', () => {
  it('splits partitions p mod R = i, covering each exactly once', () => {
    const all = [0, 1, 2].flatMap((i) => ownedPartitions(16, 3, i)).sort((a, b) => a - b);
    expect(all).toEqual([...Array(16).keys()]);
    expect(ownedPartitions(16, 3, 1)).toEqual([1, 4, 7, 10, 13]);
  });

  it('refuses a replica index outside the replica count', () => {
    expect(() => ownedPartitions(16, 2, 2)).toThrow(/outside/);
  });
});
