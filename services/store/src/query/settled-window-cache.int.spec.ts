import { type SumMetric } from '@pulse/contracts';

import { CassandraClient } from '../cassandra/cassandra.client.js';
import { PartialsRepository } from '../partials/partials.repository.js';
import { windowPartial } from '../partials/window-partial.fixture.js';
import { storeTestConfig } from '../store-config.fixture.js';
import { QueryService } from './query.service.js';

// The settled-window cache against real Cassandra (the Jest global setup's), fed through the
// store's write path (PartialsRepository.upsert, as the consumer calls it). Every cached answer
// is compared with a fresh read by a service whose cache is off. P = 4 partitions.
const MINUTE = 60_000;
const P = 4;
const T0 = Date.UTC(2026, 10, 24, 10, 0);
const config = storeTestConfig('pulse_it_settled', { PULSE_PARTITIONS: P });

describe('settled-window cache (real Cassandra)', () => {
  let cassandra: CassandraClient;
  let repository: PartialsRepository;
  let version = 0;

  beforeAll(async () => {
    cassandra = new CassandraClient(config);
    await cassandra.onModuleInit();
    repository = new PartialsRepository(cassandra, config);
  }, 120_000);

  afterAll(async () => {
    await cassandra?.session.execute(`DROP KEYSPACE IF EXISTS ${config.PULSE_CASSANDRA_KEYSPACE}`);
    await cassandra?.onApplicationShutdown();
  });

  const cached = () => new QueryService(repository, config);
  const fresh = () => new QueryService(repository, { ...config, PULSE_STORE_SETTLED_CACHE_MB: 0 });

  async function write(spec: {
    tenant?: string;
    dimension: string;
    minute: number;
    partition: number;
    closed: boolean;
    events: number;
    revenue?: number;
    granularity?: '1m' | '1h';
  }): Promise<void> {
    version += 1;
    await repository.upsert(
      windowPartial({
        tenant: spec.tenant ?? 'demo',
        granularity: spec.granularity ?? '1m',
        dimension: spec.dimension,
        window_start: T0 + spec.minute * MINUTE,
        partition: spec.partition,
        closed: spec.closed,
        version,
        metrics: { events: spec.events, revenue: spec.revenue ?? 0 },
      }),
    );
  }

  function series(service: QueryService, dimension: string, metrics: SumMetric[] = ['events'], tenant = 'demo') {
    return service.series(
      tenant,
      {
        metric: '',
        metrics,
        dimension,
        granularity: '1m',
        from: T0,
        to: T0 + 5 * MINUTE,
        gapFill: 'zero',
        timeZone: '',
      },
      {},
    );
  }

  it('answers from the cache exactly what a fresh read answers, and caches only windows every partition closed', async () => {
    const dimension = 'country:DE';
    // minute 0, 1: closed in all four partitions; 2: closed in three (the fourth may still report);
    // 3: one partition still open; 4: empty.
    for (const minute of [0, 1]) {
      for (let partition = 0; partition < P; partition += 1) {
        await write({ dimension, minute, partition, closed: true, events: minute * 10 + partition, revenue: 100 });
      }
    }
    for (const partition of [0, 1, 3]) await write({ dimension, minute: 2, partition, closed: true, events: 5 });
    for (let partition = 0; partition < P; partition += 1) {
      await write({ dimension, minute: 3, partition, closed: partition !== 2, events: 1 });
    }
    const service = cached();

    const first = await series(service, dimension, ['events', 'revenue']);
    expect(service.settled.stats()).toMatchObject({ hits: 0, windows: 4 }); // 2 windows × 2 metrics
    const second = await series(service, dimension, ['events', 'revenue']);
    expect(service.settled.stats().hits).toBe(4);
    const reference = await series(fresh(), dimension, ['events', 'revenue']);

    expect(first).toEqual(reference);
    expect(second).toEqual(reference);
    expect(reference.points.map((point) => point.values)).toEqual([
      [0 + 1 + 2 + 3, 400],
      [10 + 11 + 12 + 13, 400],
      [15, 0],
      [4, 0],
      [0, 0],
    ]);
  });

  it('reads a window again until it closes in every partition, then caches the closed value', async () => {
    const dimension = 'country:FR';
    for (let partition = 0; partition < P; partition += 1) {
      await write({ dimension, minute: 1, partition, closed: partition !== 3, events: 2 });
    }
    await write({ dimension, minute: 2, partition: 0, closed: true, events: 9 });
    const service = cached();

    expect((await series(service, dimension)).points[1]!.values).toEqual([8]);
    expect(service.settled.stats().windows).toBe(0);

    // Partition 3 closes minute 1 with more events; a partition that had not written minute 2 reports.
    await write({ dimension, minute: 1, partition: 3, closed: true, events: 7 });
    await write({ dimension, minute: 2, partition: 2, closed: true, events: 1 });
    const afterClose = await series(service, dimension);
    expect(afterClose.points.slice(1, 3).map((point) => [point.values, point.closed])).toEqual([
      [[13], true],
      [[10], true],
    ]);
    expect(service.settled.stats().windows).toBe(1);

    const again = await series(service, dimension);
    expect(service.settled.stats().hits).toBe(1);
    expect(again).toEqual(await series(fresh(), dimension));
  });

  it('caches an `all` minute a partition never wrote once that partition closed the hour with exactly its minutes’ events', async () => {
    const tenant = 'hourly';
    const all = (partition: number, minute: number, events: number, closed = true) =>
      write({ tenant, dimension: 'all', minute, partition, closed, events });
    const hour = (partition: number, events: number, closed = true) =>
      write({ tenant, dimension: 'all', granularity: '1h', minute: 0, partition, closed, events });
    // Minute 0: partitions 0–2 only. Minute 1: all four. Partition 3 closes the hour with 4 events.
    for (const partition of [0, 1, 2]) await all(partition, 0, 1);
    for (let partition = 0; partition < P; partition += 1) await all(partition, 1, 2);
    for (const partition of [0, 1, 2]) await hour(partition, 3);
    await hour(3, 4);
    const service = cached();

    const first = await series(service, 'all', ['events'], tenant);
    expect(service.settled.stats().windows).toBe(1); // minute 1 only: partition 3's hour says 4, its minutes 2
    // Partition 3's minute-0 row, still on its way during the first read, arrives.
    await all(3, 0, 2);
    const second = await series(service, 'all', ['events'], tenant);
    expect(service.settled.stats().windows).toBe(2);
    const third = await series(service, 'all', ['events'], tenant);
    const reference = await series(fresh(), 'all', ['events'], tenant);

    expect(first.points.slice(0, 2).map((point) => point.values)).toEqual([[3], [8]]);
    expect(second).toEqual(reference);
    expect(third).toEqual(reference);
    expect(reference.points.slice(0, 2).map((point) => point.values)).toEqual([[5], [8]]);
    expect(service.settled.stats().hits).toBeGreaterThanOrEqual(3);

    // Another tenant: partition 3 closes the hour with exactly its minute-1 events — it never had
    // an event in minute 0, so minute 0 is final with three partitions.
    const quiet = (partition: number, minute: number, events: number) =>
      write({ tenant: 'hourly-2', dimension: 'all', minute, partition, closed: true, events });
    for (const partition of [0, 1, 2]) await quiet(partition, 0, 1);
    for (let partition = 0; partition < P; partition += 1) await quiet(partition, 1, 2);
    for (const [partition, events] of [
      [0, 3],
      [1, 3],
      [2, 3],
      [3, 2],
    ] as const) {
      await write({
        tenant: 'hourly-2',
        dimension: 'all',
        granularity: '1h',
        minute: 0,
        partition,
        closed: true,
        events,
      });
    }
    const proving = cached();
    const proven = await series(proving, 'all', ['events'], 'hourly-2');
    expect(proving.settled.stats().windows).toBe(2);
    expect(await series(proving, 'all', ['events'], 'hourly-2')).toEqual(proven);
    expect(proving.settled.stats().hits).toBe(2);
    expect(proven).toEqual(await series(fresh(), 'all', ['events'], 'hourly-2'));
    expect(proven.points.slice(0, 2).map((point) => point.values)).toEqual([[3], [8]]);
  });

  it('never serves one tenant another tenant’s cached window', async () => {
    const dimension = 'channel:web';
    for (const [tenant, events] of [
      ['shop-a', 3],
      ['shop-b', 50],
    ] as const) {
      for (let partition = 0; partition < P; partition += 1) {
        await write({ tenant, dimension, minute: 0, partition, closed: true, events });
      }
    }
    const service = cached();

    const a = await series(service, dimension, ['events'], 'shop-a');
    const b = await series(service, dimension, ['events'], 'shop-b');
    const aAgain = await series(service, dimension, ['events'], 'shop-a');
    const bAgain = await series(service, dimension, ['events'], 'shop-b');
    const none = await series(service, dimension, ['events'], 'shop-c');

    expect(service.settled.stats().hits).toBe(2);
    expect([a.points[0]!.values, b.points[0]!.values]).toEqual([[12], [200]]);
    expect([aAgain, bAgain]).toEqual([a, b]);
    expect(none.points.every((point) => point.filled)).toBe(true);
  });

  it('caches nothing when Cassandra holds a partition beyond PULSE_PARTITIONS', async () => {
    const dimension = 'channel:ios';
    for (let partition = 0; partition <= P; partition += 1) {
      await write({ dimension, minute: 0, partition, closed: true, events: 1 });
    }
    for (let partition = 0; partition < P; partition += 1) {
      await write({ dimension, minute: 1, partition, closed: true, events: 1 });
    }
    const service = cached();

    const first = await series(service, dimension);
    expect(first.points.slice(0, 2).map((point) => point.values)).toEqual([[P + 1], [P]]);
    expect(service.settled.stats().windows).toBe(0);
  });

  it('expires a cached window no later than its rows’ TTL', async () => {
    const dimension = 'channel:android';
    for (let partition = 0; partition < P; partition += 1) {
      await write({ dimension, minute: 0, partition, closed: true, events: 1 });
    }
    const began = Date.now();
    const [window] = await repository.windowSums('demo', '1m', dimension, ['events'], T0, T0 + MINUTE);
    const ttlMs = config.PULSE_STORE_MINUTE_TTL_DAYS * 86_400_000;

    expect(window!.expiresAt).toBeLessThanOrEqual(began + ttlMs);
    expect(window!.expiresAt).toBeGreaterThan(began + ttlMs - 5 * MINUTE);
  });
});
