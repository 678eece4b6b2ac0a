import { splitList } from '@pulse/config';

import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import cassandra from 'cassandra-driver';

import { MIGRATIONS } from '../schema/migrations.js';
import { STORE_CONFIG, type CassandraConfig } from '../store.config.js';

/**
 * The store's Cassandra session: connects (retrying while Cassandra starts), creates the keyspace
 * and applies pending migrations before anything reads or writes. LOCAL_QUORUM by default;
 * statements the store issues are idempotent (upserts with explicit timestamps) and say so, so
 * the driver may retry and speculatively execute them.
 */
@Injectable()
export class CassandraClient implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CassandraClient.name);
  private client?: cassandra.Client;

  constructor(
    @Inject(STORE_CONFIG) private readonly config: CassandraConfig & { PULSE_STORE_MIGRATE_ON_START?: boolean },
  ) {}

  get session(): cassandra.Client {
    if (!this.client) throw new Error('Cassandra session is not open yet');
    return this.client;
  }

  isReady(): boolean {
    return this.client !== undefined && this.client.getState().getConnectedHosts().length > 0;
  }

  async onModuleInit(): Promise<void> {
    const contactPoints = splitList(this.config.PULSE_CASSANDRA_CONTACT_POINTS);
    const options: cassandra.ClientOptions = {
      contactPoints,
      localDataCenter: this.config.PULSE_CASSANDRA_LOCAL_DC,
      queryOptions: { consistency: cassandra.types.consistencies.localQuorum, prepare: true },
      socketOptions: { connectTimeout: 5_000, readTimeout: 12_000 },
      policies: {
        reconnection: new cassandra.policies.reconnection.ExponentialReconnectionPolicy(500, 10_000, false),
      },
    };
    // Wait for Cassandra instead of crashing when it is still starting.
    const deadline = Date.now() + 120_000;
    let bootstrap: cassandra.Client;
    for (;;) {
      bootstrap = new cassandra.Client(options);
      try {
        await bootstrap.connect();
        break;
      } catch (error) {
        await bootstrap.shutdown().catch(() => undefined);
        if (Date.now() > deadline) throw error;
        this.logger.warn(`Cassandra not reachable at ${contactPoints.join(',')} yet: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    }
    // The Helm chart turns this off: its pre-install/pre-upgrade Job migrates before pods roll.
    if (this.config.PULSE_STORE_MIGRATE_ON_START !== false) await this.migrate(bootstrap);
    await bootstrap.shutdown();
    this.client = new cassandra.Client({ ...options, keyspace: this.config.PULSE_CASSANDRA_KEYSPACE });
    await this.client.connect();
    this.logger.log(
      `connected to Cassandra ${contactPoints.join(',')}, keyspace ${this.config.PULSE_CASSANDRA_KEYSPACE}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.shutdown();
  }

  private async migrate(client: cassandra.Client): Promise<void> {
    const keyspace = this.config.PULSE_CASSANDRA_KEYSPACE;
    const rf = this.config.PULSE_CASSANDRA_REPLICATION_FACTOR;
    const dc = this.config.PULSE_CASSANDRA_LOCAL_DC;
    await client.execute(
      `CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = {'class': 'NetworkTopologyStrategy', '${dc}': ${rf}}`,
    );
    await client.execute(
      `CREATE TABLE IF NOT EXISTS ${keyspace}.schema_migrations (version int PRIMARY KEY, description text, applied_at timestamp)`,
    );
    const applied = new Set(
      (await client.execute(`SELECT version FROM ${keyspace}.schema_migrations`)).rows.map(
        (row) => row.get('version') as number,
      ),
    );
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements) {
        await client.execute(
          statement.replace(/CREATE TABLE IF NOT EXISTS (\w+)/, `CREATE TABLE IF NOT EXISTS ${keyspace}.$1`),
        );
      }
      await client.execute(
        `INSERT INTO ${keyspace}.schema_migrations (version, description, applied_at) VALUES (?, ?, ?)`,
        [migration.version, migration.description, new Date()],
        { prepare: true },
      );
      this.logger.log(`applied migration ${migration.version}: ${migration.description}`);
    }
  }
}
