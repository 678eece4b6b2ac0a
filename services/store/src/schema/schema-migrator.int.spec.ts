import { splitList } from '@pulse/config';

import cassandra from 'cassandra-driver';

import { CassandraClient } from '../cassandra/cassandra.client.js';
import { PartialsRepository } from '../partials/partials.repository.js';
import { storeTestConfig } from '../store-config.fixture.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { applyMigrations, createKeyspaceStatement } from './schema-migrator.js';

// Real Cassandra: a keyspace that starts at migration 1 with a row written the old way, as an
// installation from before migration 2 would have it.
const config = storeTestConfig('pulse_it_mig', { PULSE_STORE_MIGRATE_ON_START: false });
const keyspace = config.PULSE_CASSANDRA_KEYSPACE;
const window = Date.UTC(2026, 10, 24, 10, 0);

describe('applyMigrations (real Cassandra)', () => {
  let admin: cassandra.Client;
  let session: cassandra.Client;

  const columnsOf = async (table: string) =>
    (
      await admin.execute(
        'SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?',
        [keyspace, table],
        { prepare: true },
      )
    ).rows.map((row) => row.get('column_name') as string);
  const appliedVersions = async () =>
    (await session.execute('SELECT version FROM schema_migrations')).rows
      .map((row) => row.get('version') as number)
      .sort();

  beforeAll(async () => {
    const options = {
      contactPoints: splitList(config.PULSE_CASSANDRA_CONTACT_POINTS),
      localDataCenter: config.PULSE_CASSANDRA_LOCAL_DC,
    };
    admin = new cassandra.Client(options);
    await admin.execute(
      createKeyspaceStatement({ keyspace, localDc: config.PULSE_CASSANDRA_LOCAL_DC, replicationFactor: 1 }),
    );
    session = new cassandra.Client({ ...options, keyspace });
    await session.connect();
    expect(await applyMigrations(session, MIGRATIONS.slice(0, 1))).toEqual([1]);
    await session.execute(
      `INSERT INTO series_partials (tenant, granularity, dimension, bucket, window_start, partition, events, revenue)
       VALUES ('demo', '1m', 'all', ?, ?, 0, 12, 3400) USING TIMESTAMP 40`,
      [Math.floor(window / 86_400_000), new Date(window)],
      { prepare: true },
    );
  }, 120_000);

  afterAll(async () => {
    await admin?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await session?.shutdown();
    await admin?.shutdown();
  });

  it('re-runs a migration that failed half-way without tripping over what it already added', async () => {
    const migration2 = MIGRATIONS.find((migration) => migration.version === 2)!;
    const halfApplied: Migration[] = [
      ...MIGRATIONS.slice(0, 1),
      { ...migration2, statements: [migration2.statements[0]!, "ALTER TABLE no_such_table WITH comment = 'fails'"] },
    ];
    await expect(applyMigrations(session, halfApplied)).rejects.toThrow();
    expect(await columnsOf('series_partials')).toContain('unique_users');
    expect(await appliedVersions()).toEqual([1]);

    expect(await applyMigrations(session, MIGRATIONS)).toEqual([2]);
    expect(await appliedVersions()).toEqual([1, 2]);
    expect(await columnsOf('series_partials')).toEqual(
      expect.arrayContaining(['remove_from_cart', 'unique_users', 'funnel_purchased', 'closed']),
    );
    expect((await columnsOf('dimension_partials')).length).toBeGreaterThan(20);
    const tables = await admin.execute(
      'SELECT table_name, compaction FROM system_schema.tables WHERE keyspace_name = ?',
      [keyspace],
      { prepare: true },
    );
    for (const row of tables.rows.filter((r) => String(r.get('table_name')).endsWith('_partials'))) {
      expect((row.get('compaction') as Record<string, string>).class).toMatch(/UnifiedCompactionStrategy$/);
    }
  });

  it('is a no-op when applied again', async () => {
    expect(await applyMigrations(session, MIGRATIONS)).toEqual([]);
    expect(await appliedVersions()).toEqual([1, 2]);
  });

  it('reads a row written before migration 2 with its new columns as 0 and empty sketches', async () => {
    const client = new CassandraClient(config);
    await client.onModuleInit();
    try {
      const repository = new PartialsRepository(client, config);
      const [totals] = await repository.windows('demo', '1m', 'all', window, window + 60_000);
      expect(totals!.metrics).toMatchObject({ events: 12, revenue: 3400, remove_from_cart: 0 });
      expect(totals!.distinct.unique_users).toBe(0);
      expect(totals!.closed).toBe(false);
    } finally {
      await client.onApplicationShutdown();
    }
  });
});
