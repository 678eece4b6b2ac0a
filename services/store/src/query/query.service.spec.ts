import { type Metric } from '@pulse/contracts';

import { jest } from '@jest/globals';

import {
  TotalsAccumulator,
  type DimensionTotals,
  type PartialState,
  type WindowTotals,
} from '../partials/partial-merge.js';
import { type PartialsRepository } from '../partials/partials.repository.js';
import { ids, sketchOf } from '../partials/window-partial.fixture.js';
import { storeTestConfig } from '../store-config.fixture.js';
import { QueryService } from './query.service.js';

const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);
const from = at('2026-11-24T00:00:00Z');

function state(metrics: PartialState['metrics'], sketches: Record<string, string[]> = {}, closed = true): PartialState {
  return {
    closed,
    metrics,
    sketches: Object.fromEntries(
      Object.entries(sketches).map(([metric, values]) => [metric, sketchOf(values).encode()]),
    ),
  };
}

function dimension(name: string, partial: PartialState): DimensionTotals {
  return { dimension: name, ...new TotalsAccumulator().add(partial).totals() };
}

function window(start: number, partial: PartialState): WindowTotals {
  return { windowStart: start, ...new TotalsAccumulator().add(partial).totals() };
}

function serviceWith(repository: Partial<PartialsRepository>) {
  return new QueryService(repository as PartialsRepository, storeTestConfig('unused'));
}

const read = {};
const range = { granularity: '1d' as const, from, to: from + DAY };

describe('QueryService.top', () => {
  // 25 products; revenue 100 × (i + 1), two products tied at the top.
  const products = Array.from({ length: 25 }, (_, i) =>
    dimension(`product:SKU-${String(i).padStart(2, '0')}`, state({ revenue: i === 3 ? 2_500 : 100 * (i + 1) })),
  );
  const dimensionsOf = jest.fn<PartialsRepository['dimensionsOf']>().mockResolvedValue(products);
  const service = serviceWith({ dimensionsOf });
  const query = { kind: 'product', metric: 'revenue', k: 10, pageToken: '', ...range };

  it('ranks by the metric, ties by name, and pages with tokens until the last page', async () => {
    const first = await service.top('demo', query, read);
    expect(first.items.slice(0, 3)).toEqual([
      { rank: 1, dimension: 'product:SKU-03', value: 2_500, overflow: false },
      { rank: 2, dimension: 'product:SKU-24', value: 2_500, overflow: false },
      { rank: 3, dimension: 'product:SKU-23', value: 2_400, overflow: false },
    ]);
    expect(first.total).toBe(25);
    expect(first.nextPageToken).not.toBe('');
    const second = await service.top('demo', { ...query, pageToken: first.nextPageToken }, read);
    expect(second.items.map((item) => item.rank)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    const third = await service.top('demo', { ...query, pageToken: second.nextPageToken }, read);
    expect(third.items).toHaveLength(5);
    expect(third.nextPageToken).toBe('');
    const all = [...first.items, ...second.items, ...third.items].map((item) => item.dimension);
    expect(new Set(all).size).toBe(25);
  });

  it('reads only the ranking metric, from the windows of the range, for the caller’s tenant', async () => {
    await service.top('demo', query, read);
    expect(dimensionsOf).toHaveBeenLastCalledWith('demo', 'product', [{ granularity: '1d', start: from }], {
      metrics: ['revenue'],
    });
  });

  it('refuses a token of another query before reading anything', async () => {
    const first = await service.top('demo', query, read);
    dimensionsOf.mockClear();
    await expect(
      service.top('demo', { ...query, metric: 'orders', pageToken: first.nextPageToken }, read),
    ).rejects.toThrow(/page_token: belongs to a different query/);
    await expect(service.top('other', { ...query, pageToken: first.nextPageToken }, read)).rejects.toThrow(
      /page_token/,
    );
    expect(dimensionsOf).not.toHaveBeenCalled();
  });

  it('flags the overflow bucket', async () => {
    const withOverflow = serviceWith({
      dimensionsOf: async () => [dimension('product:__other__', state({ revenue: 9 }))],
    });
    expect((await withOverflow.top('demo', query, read)).items[0]).toMatchObject({ overflow: true });
  });
});

describe('QueryService.breakdown', () => {
  const countries = ['DE', 'FR', 'GB', 'NL', 'SE'].map((cc, i) =>
    dimension(`country:${cc}`, state({ events: 10 * (i + 1), revenue: i }, { unique_users: ids(cc, i + 1) })),
  );

  it('pages by name and resumes after the last row served, even when a new dimension appears', async () => {
    const dimensionsOf = jest.fn<PartialsRepository['dimensionsOf']>().mockResolvedValue(countries);
    const service = serviceWith({ dimensionsOf });
    const query = { kind: 'country', metrics: ['events', 'unique_users'], pageSize: 2, pageToken: '', ...range };
    const first = await service.breakdown('demo', query, read);
    expect(first.items).toEqual([
      { dimension: 'country:DE', values: [10, 1], overflow: false },
      { dimension: 'country:FR', values: [20, 2], overflow: false },
    ]);
    expect(first.total).toBe(5);
    // A dimension sorting before the cursor appears between pages: it is not served twice over.
    dimensionsOf.mockResolvedValue([dimension('country:AT', state({ events: 1 })), ...countries]);
    const second = await service.breakdown('demo', { ...query, pageToken: first.nextPageToken }, read);
    expect(second.items.map((row) => row.dimension)).toEqual(['country:GB', 'country:NL']);
    const third = await service.breakdown('demo', { ...query, pageToken: second.nextPageToken }, read);
    expect(third.items.map((row) => row.dimension)).toEqual(['country:SE']);
    expect(third.nextPageToken).toBe('');
    expect(dimensionsOf).toHaveBeenLastCalledWith('demo', 'country', expect.any(Array), {
      metrics: ['events', 'unique_users'],
    });
  });
});

describe('QueryService.funnel', () => {
  const sessions = (n: number, prefix: string) => ids(prefix, n);

  it('computes one funnel from the union over the range', async () => {
    const spanTotals = jest
      .fn<PartialsRepository['spanTotals']>()
      .mockResolvedValue(
        new TotalsAccumulator()
          .add(
            state({}, { funnel_viewed: sessions(8, 's'), funnel_added: sessions(4, 's'), funnel_purchased: ['s-0'] }),
          )
          .totals(),
      );
    const result = await serviceWith({ spanTotals }).funnel(
      'demo',
      { dimension: '', kind: '', pageSize: 0, pageToken: '', ...range },
      read,
    );
    expect(result.items).toHaveLength(1);
    expect(result.items[0]!.dimension).toBe('all');
    expect(result.items[0]!.stages.map((stage) => [stage.stage, stage.sessions])).toEqual([
      ['viewed', 8],
      ['added', 4],
      ['checked_out', 0],
      ['purchased', 1],
    ]);
    expect(spanTotals).toHaveBeenCalledWith('demo', 'all', [{ granularity: '1d', from, to: from + DAY }], {
      metrics: ['funnel_viewed', 'funnel_added', 'funnel_checked_out', 'funnel_purchased'],
    });
  });

  it('orders per-dimension funnels by sessions that viewed', async () => {
    const dimensionsOf = async () => [
      dimension('channel:ios', state({}, { funnel_viewed: sessions(3, 'i') })),
      dimension('channel:web', state({}, { funnel_viewed: sessions(9, 'w') })),
      dimension('channel:android', state({}, { funnel_viewed: sessions(3, 'a') })),
    ];
    const result = await serviceWith({ dimensionsOf }).funnel(
      'demo',
      { dimension: '', kind: 'channel', pageSize: 2, pageToken: '', ...range },
      read,
    );
    expect(result.items.map((funnel) => funnel.dimension)).toEqual(['channel:web', 'channel:android']);
    expect(result.total).toBe(3);
    expect(result.nextPageToken).not.toBe('');
  });
});

describe('QueryService.series', () => {
  it('assembles Berlin days from hour windows and fills the empty day with zero', async () => {
    const hours = [
      window(at('2026-11-23T23:00:00Z'), state({ events: 2 }, { unique_users: ['a', 'b'] })),
      window(at('2026-11-24T10:00:00Z'), state({ events: 3 }, { unique_users: ['b', 'c'] }, false)),
      window(at('2026-11-25T23:00:00Z'), state({ events: 7 }, { unique_users: ['z'] })),
    ];
    const windows = jest.fn<PartialsRepository['windows']>().mockResolvedValue(hours);
    const result = await serviceWith({ windows }).series(
      'demo',
      {
        metric: '',
        metrics: ['events', 'unique_users'],
        dimension: '',
        granularity: '1d',
        from,
        to: from + 2 * DAY,
        gapFill: 'zero',
        timeZone: 'Europe/Berlin',
      },
      read,
    );
    expect(windows).toHaveBeenCalledWith('demo', '1h', 'all', at('2026-11-23T23:00:00Z'), at('2026-11-26T23:00:00Z'), {
      metrics: ['events', 'unique_users'] satisfies Metric[],
    });
    expect(result.timeZone).toBe('Europe/Berlin');
    expect(result.points).toEqual([
      {
        start: at('2026-11-23T23:00:00Z'),
        end: at('2026-11-24T23:00:00Z'),
        values: [5, 3],
        closed: false,
        filled: false,
      },
      {
        start: at('2026-11-24T23:00:00Z'),
        end: at('2026-11-25T23:00:00Z'),
        values: [0, 0],
        closed: false,
        filled: true,
      },
      {
        start: at('2026-11-25T23:00:00Z'),
        end: at('2026-11-26T23:00:00Z'),
        values: [7, 1],
        closed: true,
        filled: false,
      },
    ]);
  });
});

describe('QueryService.series of sums', () => {
  it('reads sums added by Cassandra and adds the hours of each Berlin day', async () => {
    const windowSums = jest.fn<PartialsRepository['windowSums']>().mockResolvedValue([
      {
        windowStart: at('2026-11-23T23:00:00Z'),
        metrics: { events: 2, revenue: 100 },
        closed: true,
        partials: 3,
        topPartition: 2,
        expiresAt: Number.POSITIVE_INFINITY,
      },
      {
        windowStart: at('2026-11-24T22:00:00Z'),
        metrics: { events: 5 },
        closed: true,
        partials: 1,
        topPartition: 0,
        expiresAt: Number.POSITIVE_INFINITY,
      },
    ]);
    const windows = jest.fn<PartialsRepository['windows']>();
    const result = await serviceWith({ windowSums, windows }).series(
      'demo',
      {
        metric: '',
        metrics: ['events', 'revenue'],
        dimension: 'country:GB',
        granularity: '1d',
        from,
        to: from + DAY,
        gapFill: 'absent',
        timeZone: 'Europe/Berlin',
      },
      read,
    );
    expect(windows).not.toHaveBeenCalled();
    expect(windowSums).toHaveBeenCalledWith(
      'demo',
      '1h',
      'country:GB',
      ['events', 'revenue'],
      at('2026-11-23T23:00:00Z'),
      at('2026-11-25T23:00:00Z'),
      {},
    );
    expect(result.points).toEqual([
      {
        start: at('2026-11-23T23:00:00Z'),
        end: at('2026-11-24T23:00:00Z'),
        values: [7, 100],
        closed: true,
        filled: false,
      },
    ]);
  });
});

describe('QueryService.series with the settled-window cache', () => {
  const MINUTE = 60_000;
  const sumsOf = (start: number, events: number, partials: number, closed = true) => ({
    windowStart: start,
    metrics: { events },
    closed,
    partials,
    topPartition: partials - 1,
    expiresAt: Number.POSITIVE_INFINITY,
  });
  const input = {
    metric: 'events',
    metrics: [],
    dimension: '',
    granularity: '1m' as const,
    from,
    to: from + 60 * MINUTE,
    gapFill: 'absent' as const,
    timeZone: '',
  };

  it('reads again only the windows not closed in all P partitions, and answers the same', async () => {
    // Minute 0–49 settled (16 of 16 partitions closed); 50 has 15 partitions; 51 is still open.
    const stored = [
      ...Array.from({ length: 50 }, (_, i) => sumsOf(from + i * MINUTE, i, 16)),
      sumsOf(from + 50 * MINUTE, 7, 15),
      sumsOf(from + 51 * MINUTE, 3, 16, false),
    ];
    const windowSums = jest.fn<PartialsRepository['windowSums']>(
      async (_tenant, _granularity, _dimension, _metrics, start, end) =>
        stored.filter((window) => window.windowStart >= start && window.windowStart < end),
    );
    // No hour rows: the minute missing a partition cannot be proven by its hour (hour-evidence.ts).
    const partitionEvents = jest.fn<PartialsRepository['partitionEvents']>().mockResolvedValue([]);
    const service = serviceWith({ windowSums, partitionEvents });

    const first = await service.series('demo', input, read);
    const second = await service.series('demo', input, read);

    expect(second).toEqual(first);
    expect(first.points).toHaveLength(52);
    expect(windowSums).toHaveBeenCalledTimes(2);
    expect(windowSums.mock.calls[1]!.slice(4, 6)).toEqual([from + 50 * MINUTE, from + 60 * MINUTE]);
    expect(service.settled.stats()).toMatchObject({ windows: 50, hits: 50 });
    expect(partitionEvents.mock.calls.map((call) => call[1])).toEqual(['1h', '1h']);
    // Another tenant asking for the same series reads it from Cassandra.
    await service.series('other', input, read);
    expect(windowSums.mock.calls[2]!.slice(0, 1).concat(windowSums.mock.calls[2]!.slice(4, 6))).toEqual([
      'other',
      from,
      from + 60 * MINUTE,
    ]);
  });
});

describe('QueryService.distinct', () => {
  it('answers each count with whether it is exact', async () => {
    const spanTotals = async () =>
      new TotalsAccumulator().add(state({}, { unique_users: ids('u', 300), unique_sessions: ids('s', 12) })).totals();
    const result = await serviceWith({ spanTotals }).distinct('demo', { dimension: '', metrics: [], ...range }, read);
    expect(result.counts[1]).toEqual({ metric: 'unique_sessions', value: 12, exact: true });
    expect(result.counts[0]!.exact).toBe(false);
    expect(Math.abs(result.counts[0]!.value - 300)).toBeLessThan(300 * 0.05);
  });
});
