import { STREAMS, subjects, type WindowPartialV1 } from '@pulse/contracts';
import { encodeJson, JetStreamConnection, streamSpecs } from '@pulse/messaging';
import { freePort, PrivateNats } from '@pulse/testing';

import { CassandraClient } from '../cassandra/cassandra.client.js';
import { storeTestConfig } from '../store-config.fixture.js';
import { PartialsConsumer } from './partials.consumer.js';
import { PartialsRepository, type UpsertOutcome } from './partials.repository.js';
import { windowPartial } from './window-partial.fixture.js';

// The real consumer path: a NATS server of this test's own (so its PULSE_AGG stream and `store`
// durable are nobody else's) → PartialsConsumer → PartialsRepository → the real Cassandra.
const MINUTE = 60_000;
const window = Date.UTC(2026, 10, 24, 12, 0);

/** The real repository, failing the first write of one chosen partial (a Cassandra outage). */
class FlakyRepository extends PartialsRepository {
  readonly calls: WindowPartialV1[] = [];
  failNext?: (partial: WindowPartialV1) => boolean;

  override async upsert(partial: WindowPartialV1): Promise<UpsertOutcome> {
    this.calls.push(partial);
    if (this.failNext?.(partial)) {
      this.failNext = undefined;
      throw new Error('Cassandra timeout (simulated)');
    }
    return super.upsert(partial);
  }
}

async function until(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('PartialsConsumer (real NATS and Cassandra)', () => {
  let nats: PrivateNats;
  let connection: JetStreamConnection;
  let cassandra: CassandraClient;
  let repository: FlakyRepository;
  let consumer: PartialsConsumer;
  let config: ReturnType<typeof storeTestConfig>;

  beforeAll(async () => {
    nats = new PrivateNats(await freePort());
    await nats.start();
    config = storeTestConfig('pulse_it_consumer', { PULSE_NATS_URL: nats.url });
    connection = new JetStreamConnection({
      servers: [nats.url],
      name: 'store-itest',
      streams: streamSpecs(config, ['agg']),
    });
    await connection.open();
    cassandra = new CassandraClient(config);
    await cassandra.onModuleInit();
    repository = new FlakyRepository(cassandra, config);
    consumer = new PartialsConsumer(connection, repository, config);
    await consumer.onApplicationBootstrap();
  }, 120_000);

  afterAll(async () => {
    await consumer?.onModuleDestroy();
    await connection?.close();
    await cassandra?.session.execute(`DROP KEYSPACE IF EXISTS ${config.PULSE_CASSANDRA_KEYSPACE}`);
    await cassandra?.onApplicationShutdown();
    await nats?.destroy();
  });

  it('writes partials, retries one whose write failed, terminates malformed ones, and lets no older version win', async () => {
    const newest = windowPartial({
      dimension: 'product:SKU-9',
      window_start: window,
      partition: 2,
      version: 40,
      metrics: { events: 8, revenue: 1_600 },
      sketches: { unique_users: ['u1', 'u2'] },
    });
    const stale = windowPartial({ ...newest, version: 35, metrics: { events: 5, revenue: 1_000 }, sketches: {} });
    const otherPartition = windowPartial({
      dimension: 'product:SKU-9',
      window_start: window,
      partition: 5,
      version: 41,
      metrics: { events: 1, revenue: 200 },
      sketches: { unique_users: ['u2', 'u3'] },
    });
    repository.failNext = (partial) => partial.partition === 5;

    const publish = (partition: number, body: Uint8Array) => connection.js.publish(subjects.agg(partition), body);
    await publish(2, encodeJson(newest));
    await publish(9, new TextEncoder().encode('{ not json'));
    await publish(9, encodeJson({ ...newest, version: 0 }));
    const missingSketch = windowPartial({ version: 3 });
    delete missingSketch.sketches.funnel_added;
    await publish(9, encodeJson(missingSketch));
    await publish(5, encodeJson(otherPartition));
    await publish(2, encodeJson(stale));

    await until(async () => {
      const info = await connection.jsm.consumers.info(STREAMS.agg.name, 'store');
      return info.num_pending === 0 && info.num_ack_pending === 0;
    });

    const [totals] = await repository.windows('demo', '1m', 'product:SKU-9', window, window + MINUTE);
    expect(totals!.metrics).toMatchObject({ events: 9, revenue: 1_800 });
    expect(totals!.distinct.unique_users).toBe(3);
    const [breakdown] = await repository.dimensions('demo', '1m', 'product', window, window + MINUTE);
    expect([breakdown!.dimension, breakdown!.metrics.events, breakdown!.partials]).toEqual(['product:SKU-9', 9, 2]);

    // The failed write was redelivered and written; malformed partials never reached the repository.
    expect(repository.calls.filter((partial) => partial.partition === 5)).toHaveLength(2);
    expect(repository.calls.map((partial) => partial.version).sort((a, b) => a - b)).toEqual([35, 40, 41, 41]);
  }, 60_000);
});
