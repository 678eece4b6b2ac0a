import { type WindowPartialV1 } from '@pulse/contracts';

import { CassandraClient } from '../cassandra/cassandra.client.js';
import { type StoreConfig } from '../store.config.js';
import { PartialsRepository } from './partials.repository.js';

// Real Cassandra (started once by the Jest global setup); a keyspace of its own per run.
const MINUTE = 60_000;
const config: StoreConfig = {
  PULSE_NATS_URL: 'unused',
  PULSE_STREAM_REPLICAS: 1,
  PULSE_STREAM_MAX_AGE_HOURS: 1,
  PULSE_STREAM_MAX_BYTES: -1,
  PULSE_STREAM_DUPLICATE_WINDOW_SECONDS: 120,
  PULSE_STREAM_DISCARD: 'new',
  PULSE_CASSANDRA_CONTACT_POINTS: process.env.PULSE_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:19042',
  PULSE_CASSANDRA_LOCAL_DC: process.env.PULSE_CASSANDRA_LOCAL_DC ?? 'datacenter1',
  PULSE_CASSANDRA_KEYSPACE: `pulse_it_${Date.now().toString(36)}`,
  PULSE_CASSANDRA_REPLICATION_FACTOR: 1,
  PULSE_SHUTDOWN_TIMEOUT_MS: 1000,
  PULSE_STORE_HTTP_PORT: 1,
  PULSE_STORE_HOST: '127.0.0.1',
  PULSE_STORE_GRPC_PORT: 1,
  PULSE_API_KEYS_FILE: 'unused',
  PULSE_STORE_MAX_IN_FLIGHT: 1,
  PULSE_STORE_MINUTE_TTL_DAYS: 1,
  PULSE_STORE_MIGRATE_ON_START: true,
};

const partial = (overrides: Partial<WindowPartialV1>): WindowPartialV1 => ({
  v: 1,
  tenant: 'demo',
  granularity: '1m',
  window_start: Date.UTC(2026, 10, 24, 23, 58),
  dimension: 'all',
  partition: 0,
  version: 1,
  metrics: { events: 1 },
  ...overrides,
});

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
    expect(rows.rows.map((row) => row.get('version'))).toEqual([1]);
    await second.onApplicationShutdown();
  });

  it('never lets an older partial overwrite a newer one (version = write timestamp)', async () => {
    const window = Date.UTC(2026, 10, 24, 10, 0);
    await repository.upsert(partial({ window_start: window, version: 50, metrics: { events: 10 } }));
    await repository.upsert(partial({ window_start: window, version: 30, metrics: { events: 4 } }));
    let series = await repository.series('demo', '1m', 'all', 'events', window, window + MINUTE);
    expect(series).toEqual([{ windowStart: window, value: 10 }]);
    await repository.upsert(partial({ window_start: window, version: 51, metrics: { events: 11 } }));
    series = await repository.series('demo', '1m', 'all', 'events', window, window + MINUTE);
    expect(series).toEqual([{ windowStart: window, value: 11 }]);
  });

  it('sums partitions per window across a UTC day boundary and honours [from, to)', async () => {
    const beforeMidnight = Date.UTC(2026, 10, 25, 23, 59);
    const midnight = Date.UTC(2026, 10, 26, 0, 0);
    await repository.upsert(
      partial({ window_start: beforeMidnight, partition: 1, version: 5, metrics: { events: 3 } }),
    );
    await repository.upsert(
      partial({ window_start: beforeMidnight, partition: 2, version: 6, metrics: { events: 4 } }),
    );
    await repository.upsert(partial({ window_start: midnight, partition: 1, version: 7, metrics: { events: 5 } }));
    await repository.upsert(
      partial({ window_start: midnight + MINUTE, partition: 1, version: 8, metrics: { events: 100 } }),
    );

    const series = await repository.series('demo', '1m', 'all', 'events', beforeMidnight, midnight + MINUTE);
    expect(series).toEqual([
      { windowStart: beforeMidnight, value: 7 },
      { windowStart: midnight, value: 5 },
    ]);
  });

  it('keeps tenants apart', async () => {
    const window = Date.UTC(2026, 10, 27, 8, 0);
    await repository.upsert(partial({ tenant: 'acme', window_start: window, version: 1, metrics: { events: 9 } }));
    expect(await repository.series('demo', '1m', 'all', 'events', window, window + MINUTE)).toEqual([]);
    expect(await repository.series('acme', '1m', 'all', 'events', window, window + MINUTE)).toEqual([
      { windowStart: window, value: 9 },
    ]);
  });
});
