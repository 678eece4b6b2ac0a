import { splitList } from '@pulse/config';

import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import cassandra from 'cassandra-driver';

import { MIGRATIONS } from '../schema/migrations.js';
import { applyMigrations, createKeyspaceStatement } from '../schema/schema-migrator.js';
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
    const migrate = this.config.PULSE_STORE_MIGRATE_ON_START !== false;
    const keyspace = this.config.PULSE_CASSANDRA_KEYSPACE;
    if (migrate) {
      await bootstrap.execute(
        createKeyspaceStatement({
          keyspace,
          localDc: this.config.PULSE_CASSANDRA_LOCAL_DC,
          replicationFactor: this.config.PULSE_CASSANDRA_REPLICATION_FACTOR,
        }),
      );
    }
    await bootstrap.shutdown();
    const client = new cassandra.Client({ ...options, keyspace });
    await client.connect();
    if (migrate) {
      try {
        await applyMigrations(client, MIGRATIONS, (message) => this.logger.log(message));
      } catch (error) {
        await client.shutdown().catch(() => undefined);
        throw error;
      }
    }
    this.client = client;
    this.logger.log(`connected to Cassandra ${contactPoints.join(',')}, keyspace ${keyspace}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.shutdown();
  }
}
