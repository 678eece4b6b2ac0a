import { SKETCH_METRICS } from '@pulse/contracts';

import { CassandraClient } from '../cassandra/cassandra.client.js';
import { storeTestConfig } from '../store-config.fixture.js';
import { rankDimensions } from './partial-merge.js';
import { PartialsRepository } from './partials.repository.js';
import { ids, windowPartial } from './window-partial.fixture.js';

// Real Cassandra (started once by the Jest global setup); a keyspace of its own per run. The
// repository under test remembers no written versions, so every write reaches Cassandra and the
// tests see Cassandra's own last-write-wins.
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const config = storeTestConfig('pulse_it_repo');

describe('PartialsRepository (real Cassandra)', () => {
  let cassandra: CassandraClient;
  let repository: PartialsRepository;

  beforeAll(async () => {
    cassandra = new CassandraClient(config);
    await cassandra.onModuleInit();
    repository = new PartialsRepository(cassandra, config);
  }, 120_000);

  afterAll(async () => {
    await cassandra?.session.execute(`DROP KEYSPACE IF EXISTS ${config.PULSE_CASSANDRA_KEYSPACE}`);
    await cassandra?.onApplicationShutdown();
  });

  it('applies each migration once, even when a second store starts', async () => {
    const second = new CassandraClient(config);
    await second.onModuleInit();
    const rows = await second.session.execute('SELECT version FROM schema_migrations');
    expect(rows.rows.map((row) => row.get('version') as number).sort()).toEqual([1, 2]);
    await second.onApplicationShutdown();
  });

  it('never lets an older partial overwrite a newer one, in any column, sketches and closed included', async () => {
    const window = Date.UTC(2026, 10, 24, 10, 0);
    const newer = windowPartial({
      dimension: 'product:SKU-1',
      window_start: window,
      version: 50,
      closed: true,
      metrics: { events: 10, revenue: 500, remove_from_cart: 2 },
      sketches: { unique_users: ['u1', 'u2', 'u3'], funnel_purchased: ['s1'] },
    });
    const older = windowPartial({
      dimension: 'product:SKU-1',
      window_start: window,
      version: 30,
      closed: false,
      metrics: { events: 4, revenue: 9_999, units: 7 },
      sketches: { unique_users: ['z1'], unique_sessions: ['s9'] },
    });
    await repository.upsert(newer);
    await repository.upsert(older);

    const [series] = await repository.windows('demo', '1m', 'product:SKU-1', window, window + MINUTE);
    expect(series!.metrics).toMatchObject({ events: 10, revenue: 500, remove_from_cart: 2, units: 0 });
    expect(series!.closed).toBe(true);
    for (const metric of SKETCH_METRICS) expect(series!.sketches[metric].toBase64()).toBe(newer.sketches[metric]);
    const [breakdown] = await repository.dimensions('demo', '1m', 'product', window, window + MINUTE);
    expect(breakdown!.metrics).toEqual(series!.metrics);
    expect(breakdown!.distinct).toEqual(series!.distinct);
    expect(series!.distinct).toMatchObject({ unique_users: 3, unique_sessions: 0, funnel_purchased: 1 });

    await repository.upsert(windowPartial({ ...newer, version: 51, metrics: { events: 11 }, sketches: {} }));
    const [after] = await repository.windows('demo', '1m', 'product:SKU-1', window, window + MINUTE);
    expect([after!.metrics.events, after!.metrics.revenue, after!.distinct.unique_users]).toEqual([11, 0, 0]);
  });

  it('changes nothing when an identical partial is replayed', async () => {
    const window = Date.UTC(2026, 10, 24, 11, 0);
    const partial = windowPartial({
      dimension: 'country:GB',
      window_start: window,
      version: 77,
      metrics: { purchases: 3, revenue: 4_200 },
      sketches: { unique_users: ids('u', 300) },
    });
    await repository.upsert(partial);
    const before = await repository.windows('demo', '1m', 'country:GB', window, window + MINUTE);
    const writetime = async () =>
      (
        await cassandra.session.execute(
          'SELECT WRITETIME(revenue) AS w FROM dimension_partials WHERE tenant = ? AND granularity = ? AND kind = ? AND window_start = ?',
          ['demo', '1m', 'country', new Date(window)],
          { prepare: true },
        )
      ).rows[0]!.get('w') as { toNumber(): number };
    await repository.upsert(partial);
    await repository.upsert(partial);
    const after = await repository.windows('demo', '1m', 'country:GB', window, window + MINUTE);
    expect(after.map((w) => [w.metrics, w.sketches.unique_users.toBase64(), w.partials])).toEqual(
      before.map((w) => [w.metrics, w.sketches.unique_users.toBase64(), 1]),
    );
    expect((await writetime()).toNumber()).toBe(77);
  });

  it('sums partitions and unions their sketches per window across a UTC day boundary, honouring [from, to)', async () => {
    const beforeMidnight = Date.UTC(2026, 10, 25, 23, 59);
    const midnight = Date.UTC(2026, 10, 26, 0, 0);
    const write = (window_start: number, partition: number, events: number, users: string[]) =>
      repository.upsert(
        windowPartial({
          window_start,
          partition,
          version: 5 + partition,
          metrics: { events },
          sketches: { unique_users: users },
        }),
      );
    await write(beforeMidnight, 1, 3, ['a', 'b']);
    await write(beforeMidnight, 2, 4, ['b', 'c']);
    await write(midnight, 1, 5, ['a', 'd']);
    await write(midnight + MINUTE, 1, 100, ['zz']);

    const windows = await repository.windows('demo', '1m', 'all', beforeMidnight + 30_000, midnight + MINUTE);
    expect(windows.map((w) => [w.windowStart, w.metrics.events, w.distinct.unique_users, w.partials])).toEqual([
      [beforeMidnight, 7, 3, 2],
      [midnight, 5, 2, 1],
    ]);
    expect(await repository.series('demo', '1m', 'all', 'events', beforeMidnight, midnight + MINUTE)).toEqual([
      { windowStart: beforeMidnight, value: 7 },
      { windowStart: midnight, value: 5 },
    ]);
    expect(await repository.series('demo', '1m', 'all', 'unique_users', beforeMidnight, midnight + MINUTE)).toEqual([
      { windowStart: beforeMidnight, value: 3 },
      { windowStart: midnight, value: 2 },
    ]);
    // Over both windows a, b, c, d: users seen in both windows count once.
    expect(await repository.distinct('demo', '1m', 'all', 'unique_users', beforeMidnight, midnight + MINUTE)).toBe(4);
    expect(await repository.distinct('demo', '1m', 'all', 'unique_sessions', beforeMidnight, midnight + MINUTE)).toBe(
      0,
    );
  });

  it('estimates a distinct count beyond the exact limit within the documented error', async () => {
    const day = Date.UTC(2026, 10, 27);
    for (let partition = 0; partition < 4; partition += 1) {
      await repository.upsert(
        windowPartial({
          granularity: '1d',
          window_start: day,
          partition,
          version: 100 + partition,
          sketches: { unique_sessions: ids('s', 2_000, partition * 1_000) },
        }),
      );
    }
    const count = await repository.distinct('demo', '1d', 'all', 'unique_sessions', day, day + DAY);
    expect(Math.abs(count - 5_000) / 5_000).toBeLessThan(3 * 0.0163);
  });

  it('breaks a kind down by dimension over partitions and windows, leaving other kinds and `all` out', async () => {
    const hour = Date.UTC(2026, 10, 28, 9);
    const write = (dimension: string, window_start: number, partition: number, revenue: number, users: string[]) =>
      repository.upsert(
        windowPartial({
          granularity: '1h',
          dimension,
          window_start,
          partition,
          version: 1_000 + partition,
          metrics: { revenue },
          sketches: { unique_users: users },
        }),
      );
    await write('category:kitchen', hour, 0, 100, ['u1']);
    await write('category:kitchen', hour, 3, 50, ['u1', 'u2']);
    await write('category:kitchen', hour + HOUR, 0, 25, ['u3']);
    await write('category:garden', hour, 1, 400, ['u9']);
    await write('category:toys', hour + 2 * HOUR, 1, 999, ['u8']);
    await write('country:GB', hour, 0, 7, ['u1']);
    await write('all', hour, 0, 575, ['u1', 'u2', 'u3', 'u9']);

    const categories = await repository.dimensions('demo', '1h', 'category', hour, hour + 2 * HOUR);
    expect(categories.map((d) => [d.dimension, d.metrics.revenue, d.distinct.unique_users, d.partials])).toEqual([
      ['category:garden', 400, 1, 1],
      ['category:kitchen', 175, 3, 3],
    ]);
    expect(rankDimensions(categories, 'unique_users', 1).map((d) => d.dimension)).toEqual(['category:kitchen']);
    expect((await repository.dimensions('demo', '1h', 'country', hour, hour + HOUR)).map((d) => d.dimension)).toEqual([
      'country:GB',
    ]);
    expect(await repository.dimensions('demo', '1h', 'channel', hour, hour + 3 * HOUR)).toEqual([]);
    const kinds = await cassandra.session.execute(
      'SELECT kind FROM dimension_partials WHERE tenant = ? AND granularity = ? AND kind = ? AND window_start = ?',
      ['demo', '1h', 'all', new Date(hour)],
      { prepare: true },
    );
    expect(kinds.rows).toEqual([]);
  });

  it('pages through a breakdown partition larger than one page', async () => {
    const window = Date.UTC(2026, 10, 29, 12, 0);
    const products = ids('product:P', 1_234);
    for (let i = 0; i < products.length; i += 100) {
      await Promise.all(
        products
          .slice(i, i + 100)
          .map((dimension) =>
            repository.upsert(windowPartial({ dimension, window_start: window, version: 3, metrics: { units: 2 } })),
          ),
      );
    }
    const breakdown = await repository.dimensions('demo', '1m', 'product', window, window + MINUTE);
    expect(breakdown).toHaveLength(1_234);
    expect(breakdown.reduce((sum, d) => sum + d.metrics.units, 0)).toBe(2 * 1_234);
  });

  it('sets the TTL of every row by its granularity', async () => {
    const start = Date.UTC(2026, 10, 30);
    for (const granularity of ['1m', '1h', '1d'] as const) {
      await repository.upsert(
        windowPartial({ granularity, dimension: 'channel:web', window_start: start, version: 9 }),
      );
    }
    const ttl = async (table: string, granularity: string, key: string, value: unknown) =>
      (
        await cassandra.session.execute(
          `SELECT TTL(events) AS ttl, TTL(unique_users) AS sketch_ttl FROM ${table}
             WHERE tenant = 'demo' AND granularity = ? AND ${key} = ? ALLOW FILTERING`,
          [granularity, value],
          { prepare: true },
        )
      ).rows
        .map((row) => [row.get('ttl') as number, row.get('sketch_ttl') as number])
        .flat();
    const expected = { '1m': 1 * 86_400, '1h': 400 * 86_400, '1d': 5 * 366 * 86_400 };
    for (const [granularity, seconds] of Object.entries(expected)) {
      for (const [table, key, value] of [
        ['series_partials', 'dimension', 'channel:web'],
        ['dimension_partials', 'kind', 'channel'],
      ] as const) {
        const ttls = await ttl(table, granularity, key, value);
        expect(ttls.length).toBeGreaterThan(0);
        for (const remaining of ttls) {
          expect(remaining).toBeLessThanOrEqual(seconds);
          expect(remaining).toBeGreaterThan(seconds - 120);
        }
      }
    }
  });

  it('keeps tenants apart', async () => {
    const window = Date.UTC(2026, 10, 27, 8, 0);
    await repository.upsert(
      windowPartial({ tenant: 'acme', dimension: 'product:x', window_start: window, metrics: { events: 9 } }),
    );
    expect(await repository.series('demo', '1m', 'product:x', 'events', window, window + MINUTE)).toEqual([]);
    expect(await repository.dimensions('demo', '1m', 'product', window, window + MINUTE)).toEqual([]);
    expect(await repository.series('acme', '1m', 'product:x', 'events', window, window + MINUTE)).toEqual([
      { windowStart: window, value: 9 },
    ]);
  });

  it('skips a partial it already wrote the same or a newer version of, when it remembers versions', async () => {
    const remembering = new PartialsRepository(cassandra, { ...config, PULSE_STORE_VERSION_CACHE_ROWS: 10 });
    const window = Date.UTC(2026, 11, 1, 8, 0);
    const partial = (version: number, events: number) =>
      windowPartial({ dimension: 'product:y', window_start: window, version, metrics: { events } });
    expect(await remembering.upsert(partial(5, 1))).toBe('written');
    expect(await remembering.upsert(partial(5, 1))).toBe('skipped');
    expect(await remembering.upsert(partial(4, 0))).toBe('skipped');
    expect(await remembering.upsert(partial(6, 2))).toBe('written');
    expect(await remembering.upsert({ ...partial(6, 2), closed: true })).toBe('written');
    expect(await remembering.upsert(partial(6, 2))).toBe('skipped');
    const [totals] = await repository.windows('demo', '1m', 'product:y', window, window + MINUTE);
    expect([totals!.metrics.events, totals!.closed]).toEqual([2, true]);
  });

  it('ends closed when the closing emission repeats the live version, in either arrival order (equal-timestamp tie)', async () => {
    for (const [minute, order] of [
      [0, [false, true]],
      [1, [true, false]],
    ] as const) {
      const window = Date.UTC(2026, 11, 3, 8, minute);
      for (const closed of order) {
        await repository.upsert(windowPartial({ window_start: window, version: 12, closed, metrics: { orders: 3 } }));
      }
      const [totals] = await repository.windows('demo', '1m', 'all', window, window + MINUTE);
      expect([totals!.metrics.orders, totals!.closed]).toEqual([3, true]);
    }
  });

  it('reads a sketch it cannot decode as an error, never as a silent zero', async () => {
    const window = Date.UTC(2026, 11, 2, 8, 0);
    const partial = windowPartial({ dimension: 'product:bad', window_start: window, version: 2 });
    partial.sketches.unique_users = Buffer.from([9, 9]).toString('base64');
    await repository.upsert(partial);
    await expect(
      repository.distinct('demo', '1m', 'product:bad', 'unique_users', window, window + MINUTE),
    ).rejects.toThrow(/series_partials demo\/1m\/product:bad .*unknown sketch encoding/);
    await expect(repository.dimensions('demo', '1m', 'product', window, window + MINUTE)).rejects.toThrow(
      /dimension_partials demo\/1m\/product:bad/,
    );
  });
});
