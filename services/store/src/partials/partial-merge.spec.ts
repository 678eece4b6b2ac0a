import { SKETCH_METRICS, SUM_METRICS, type SketchMetric, type SumMetric } from '@pulse/contracts';
import { DistinctSketch, HLL_STANDARD_ERROR } from '@pulse/sketches';

import fc from 'fast-check';

import {
  isSketchMetric,
  isSumMetric,
  KeyedTotals,
  metricValue,
  rankDimensions,
  TotalsAccumulator,
  type DimensionTotals,
  type PartialState,
} from './partial-merge.js';
import { ids, sketchOf } from './window-partial.fixture.js';

function state(
  metrics: Partial<Record<SumMetric, number>>,
  sketches: Partial<Record<SketchMetric, readonly string[]>> = {},
  closed = false,
): PartialState {
  return {
    closed,
    metrics,
    sketches: Object.fromEntries(
      Object.entries(sketches).map(([metric, values]) => [metric, sketchOf(values).encode()]),
    ),
  };
}

describe('TotalsAccumulator', () => {
  it('adds sums over partitions and unions sketches instead of adding their counts', () => {
    const totals = new TotalsAccumulator()
      .add(state({ events: 3, revenue: 1_250 }, { unique_users: ['u1', 'u2'] }))
      .add(state({ events: 4, revenue: 50 }, { unique_users: ['u2', 'u3'] }))
      .totals();
    expect(totals.metrics.events).toBe(7);
    expect(totals.metrics.revenue).toBe(1_300);
    expect(totals.distinct.unique_users).toBe(3);
    expect(totals.sketches.unique_users.isExact()).toBe(true);
    expect(totals.partials).toBe(2);
  });

  it('reads absent metrics and sketches (unwritten columns) as 0 and the empty set', () => {
    const totals = new TotalsAccumulator()
      .add({ closed: true, metrics: { events: 2 }, sketches: { unique_users: new Uint8Array() } })
      .totals();
    for (const metric of SUM_METRICS) expect(totals.metrics[metric]).toBe(metric === 'events' ? 2 : 0);
    for (const metric of SKETCH_METRICS) expect(totals.distinct[metric]).toBe(0);
  });

  it('is closed only when every merged partial is closed', () => {
    expect(
      new TotalsAccumulator()
        .add(state({}, {}, true))
        .add(state({}, {}, true))
        .totals().closed,
    ).toBe(true);
    expect(
      new TotalsAccumulator()
        .add(state({}, {}, true))
        .add(state({}, {}, false))
        .totals().closed,
    ).toBe(false);
  });

  it('estimates a union that outgrows the exact set within 3 HLL standard errors', () => {
    const totals = new TotalsAccumulator()
      .add(state({}, { unique_sessions: ids('s', 3_000) }))
      .add(state({}, { unique_sessions: ids('s', 3_000, 2_000) }))
      .add(state({}, { unique_sessions: ids('s', 100, 4_950) }))
      .totals();
    expect(Math.abs(totals.distinct.unique_sessions - 5_050) / 5_050).toBeLessThan(3 * HLL_STANDARD_ERROR);
  });

  it('merges per-window totals into the same result as merging every partial at once', () => {
    const partials = [
      state({ units: 2 }, { funnel_viewed: ['a', 'b'] }, true),
      state({ units: 5 }, { funnel_viewed: ['b', 'c'] }, true),
      state({ units: 1 }, { funnel_viewed: ['d'] }, true),
    ];
    const direct = new TotalsAccumulator();
    for (const partial of partials) direct.add(partial);
    const perWindow = [
      new TotalsAccumulator().add(partials[0]!).add(partials[1]!),
      new TotalsAccumulator().add(partials[2]!),
    ];
    const combined = new TotalsAccumulator();
    for (const window of perWindow) combined.addTotals(window.totals());
    const [a, b] = [direct.totals(), combined.totals()];
    expect(b.metrics).toEqual(a.metrics);
    expect(b.distinct).toEqual(a.distinct);
    expect(b.sketches.funnel_viewed.toBase64()).toBe(a.sketches.funnel_viewed.toBase64());
    expect([b.partials, b.closed]).toEqual([3, true]);
  });

  it('equals a plain reference computation whatever partitions and order the partials come in (property)', () => {
    const event = fc.record({
      window: fc.integer({ min: 0, max: 3 }),
      partition: fc.integer({ min: 0, max: 4 }),
      user: fc.integer({ min: 0, max: 60 }),
      revenue: fc.integer({ min: 0, max: 10_000 }),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 200 }), fc.infiniteStream(fc.nat()), (events, seeds) => {
        // One full-state partial per (window, partition), as the aggregator would emit it.
        const cells = new Map<string, { window: number; events: number; revenue: number; users: Set<string> }>();
        for (const e of events) {
          const key = `${e.window}/${e.partition}`;
          const cell = cells.get(key) ?? { window: e.window, events: 0, revenue: 0, users: new Set<string>() };
          cell.events += 1;
          cell.revenue += e.revenue;
          cell.users.add(`u${e.user}`);
          cells.set(key, cell);
        }
        const shuffled = [...cells.values()]
          .map((cell) => ({ cell, order: seeds.next().value as number }))
          .sort((a, b) => a.order - b.order)
          .map(({ cell }) => cell);
        const byWindow = new KeyedTotals<number>();
        for (const cell of shuffled) {
          byWindow.add(
            cell.window,
            state({ events: cell.events, revenue: cell.revenue }, { unique_users: [...cell.users] }),
          );
        }
        const merged = new Map(byWindow.entries((a, b) => a - b));
        for (let window = 0; window <= 3; window += 1) {
          const inWindow = events.filter((e) => e.window === window);
          const totals = merged.get(window);
          if (inWindow.length === 0) {
            expect(totals).toBeUndefined();
            continue;
          }
          expect(totals!.metrics.events).toBe(inWindow.length);
          expect(totals!.metrics.revenue).toBe(inWindow.reduce((sum, e) => sum + e.revenue, 0));
          expect(totals!.distinct.unique_users).toBe(new Set(inWindow.map((e) => e.user)).size);
        }
      }),
    );
  });
});

describe('KeyedTotals', () => {
  it('returns keys in the order of the comparator', () => {
    const keyed = new KeyedTotals<string>().add('b', state({ events: 1 })).add('a', state({ events: 2 }));
    expect(keyed.entries((x, y) => x.localeCompare(y)).map(([key, totals]) => [key, totals.metrics.events])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });
});

describe('rankDimensions', () => {
  const dimension = (name: string, revenue: number, users: readonly string[]): DimensionTotals => ({
    dimension: name,
    ...new TotalsAccumulator().add(state({ revenue }, { unique_users: users })).totals(),
  });
  const dimensions = [
    dimension('product:a', 100, ['u1']),
    dimension('product:b', 300, ['u1']),
    dimension('product:c', 100, ['u1', 'u2', 'u3']),
    dimension('product:d', 0, []),
  ];

  it('orders by a sum metric, ties by dimension name, and keeps the top N', () => {
    expect(rankDimensions(dimensions, 'revenue', 3).map((d) => d.dimension)).toEqual([
      'product:b',
      'product:a',
      'product:c',
    ]);
  });

  it('orders by a distinct count for sketch metrics', () => {
    expect(rankDimensions(dimensions, 'unique_users', 2).map((d) => d.dimension)).toEqual(['product:c', 'product:a']);
    expect(rankDimensions(dimensions, 'unique_users', 0)).toEqual([]);
  });
});

describe('metric names', () => {
  it('tells sum metrics from sketch metrics and reads either from totals', () => {
    expect(SUM_METRICS.every((metric) => isSumMetric(metric) && !isSketchMetric(metric))).toBe(true);
    expect(SKETCH_METRICS.every((metric) => isSketchMetric(metric) && !isSumMetric(metric))).toBe(true);
    const totals = new TotalsAccumulator().add(state({ orders: 4 }, { funnel_added: ['s1', 's2'] })).totals();
    expect(metricValue(totals, 'orders')).toBe(4);
    expect(metricValue(totals, 'funnel_added')).toBe(2);
    expect(totals.sketches.funnel_added).toBeInstanceOf(DistinctSketch);
  });
});
