import { loadCassandraSecurity, splitList } from '@pulse/config';

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
    // Password and TLS files are read once, here; a bad setting is a ConfigError (exit 78).
    const security = loadCassandraSecurity(this.config);
    // A function, not one object: policies are stateful and bound to the client that initialises
    // them, so each client (the bootstrap one, then the keyspace one) needs its own instances.
    const options = (): cassandra.ClientOptions => ({
      contactPoints,
      localDataCenter: this.config.PULSE_CASSANDRA_LOCAL_DC,
      queryOptions: { consistency: cassandra.types.consistencies.localQuorum, prepare: true },
      socketOptions: { connectTimeout: 5_000, readTimeout: 12_000 },
      // A ring: DDL waits until every node agrees on the schema (slow nodes on a loaded host).
      protocolOptions: { maxSchemaAgreementWaitSeconds: 30 },
      ...(security.credentials
        ? {
            authProvider: new cassandra.auth.PlainTextAuthProvider(
              security.credentials.username,
              security.credentials.password,
            ),
          }
        : {}),
      // The driver defaults to rejectUnauthorized: false; verify the chain and the node's name or
      // IP (tls.checkServerIdentity against the contact address, IP SANs included).
      ...(security.tls ? { sslOptions: { ...security.tls, rejectUnauthorized: true, minVersion: 'TLSv1.2' } } : {}),
      policies: {
        // Chosen on purpose rather than left to defaults: the replica that owns the partition key
        // in the local DC first; the driver's retry policy (retries a read/write timeout once when
        // enough replicas answered, an unavailable on the next host) applies to statements marked
        // idempotent only — every Pulse write is an upsert with USING TIMESTAMP and is so marked.
        loadBalancing: new cassandra.policies.loadBalancing.TokenAwarePolicy(
          new cassandra.policies.loadBalancing.DCAwareRoundRobinPolicy(this.config.PULSE_CASSANDRA_LOCAL_DC),
        ),
        retry: new cassandra.policies.retry.RetryPolicy(),
        reconnection: new cassandra.policies.reconnection.ExponentialReconnectionPolicy(500, 10_000, false),
      },
    });
    // Wait for Cassandra instead of crashing when it is still starting, and retry the whole
    // set-up (idempotent: CREATE … IF NOT EXISTS and recorded migrations) while a ring is still
    // settling — a node that just joined, or a loaded host, answers "no connection available".
    const deadline = Date.now() + 180_000;
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.client = await this.connectAndMigrate(options);
        break;
      } catch (error) {
        // Wrong credentials, a missing grant or a certificate that does not verify will not fix
        // themselves: fail at once with a clear message instead of retrying for three minutes.
        const fatal = fatalCassandraError(error, this.config.PULSE_CASSANDRA_USERNAME);
        if (fatal) throw fatal;
        if (Date.now() > deadline) throw error;
        this.logger.warn(
          `Cassandra at ${contactPoints.join(',')} not ready yet (attempt ${attempt}): ${(error as Error).message}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    }
    this.logger.log(
      `connected to Cassandra ${contactPoints.join(',')}, keyspace ${this.config.PULSE_CASSANDRA_KEYSPACE}`,
    );
  }

  private async connectAndMigrate(options: () => cassandra.ClientOptions): Promise<cassandra.Client> {
    // The Helm chart turns this off: its pre-install/pre-upgrade Job migrates before pods roll.
    const migrate = this.config.PULSE_STORE_MIGRATE_ON_START !== false;
    const keyspace = this.config.PULSE_CASSANDRA_KEYSPACE;
    if (migrate) {
      const bootstrap = new cassandra.Client(options());
      try {
        await bootstrap.connect();
        // CREATE KEYSPACE needs CREATE on ALL KEYSPACES even with IF NOT EXISTS: skip it when the
        // keyspace exists, so a role granted only its own (pre-created) keyspace can start.
        if (!bootstrap.metadata.keyspaces[keyspace]) {
          await bootstrap.execute(
            createKeyspaceStatement({
              keyspace,
              localDc: this.config.PULSE_CASSANDRA_LOCAL_DC,
              replicationFactor: this.config.PULSE_CASSANDRA_REPLICATION_FACTOR,
            }),
          );
        }
        await this.awaitSchemaAgreement(bootstrap);
      } finally {
        await bootstrap.shutdown().catch(() => undefined);
      }
    }
    const client = new cassandra.Client({ ...options(), keyspace });
    try {
      await client.connect();
      if (migrate) await applyMigrations(client, MIGRATIONS, (message) => this.logger.log(message));
      return client;
    } catch (error) {
      await client.shutdown().catch(() => undefined);
      throw error;
    }
  }

  /** Every node knows the keyspace before a session is opened on it (one node per host is enough to ask). */
  private async awaitSchemaAgreement(client: cassandra.Client): Promise<void> {
    // Metadata#checkSchemaAgreement() is public API of the driver but missing from its typings.
    const metadata = client.metadata as unknown as { checkSchemaAgreement(): Promise<boolean> };
    const deadline = Date.now() + 60_000;
    while (!(await metadata.checkSchemaAgreement())) {
      if (Date.now() > deadline) throw new Error('Cassandra nodes did not agree on the schema within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.shutdown();
  }
}

/** An error the start-up retry must not hide: refused credentials, a missing grant, a bad certificate. */
export function fatalCassandraError(error: unknown, username: string | undefined): Error | undefined {
  const errors = [error, ...Object.values((error as { innerErrors?: Record<string, unknown> })?.innerErrors ?? {})];
  for (const candidate of errors) {
    // "Unable to perform authentication" = the roles table is unavailable (a ring still forming): transient.
    if (
      candidate instanceof cassandra.errors.AuthenticationError &&
      !/unable to perform authentication/i.test(candidate.message)
    ) {
      return new Error(
        username
          ? `Cassandra refused the credentials of role '${username}' (PULSE_CASSANDRA_USERNAME, PULSE_CASSANDRA_PASSWORD_FILE): ${candidate.message}`
          : `Cassandra requires authentication: set PULSE_CASSANDRA_USERNAME and PULSE_CASSANDRA_PASSWORD_FILE (${candidate.message})`,
        { cause: candidate },
      );
    }
    if (
      candidate instanceof cassandra.errors.ResponseError &&
      candidate.code === cassandra.types.responseErrorCodes.unauthorized
    ) {
      return new Error(`Cassandra role '${username ?? '(none)'}' lacks a permission: ${candidate.message}`, {
        cause: candidate,
      });
    }
    const code = (candidate as NodeJS.ErrnoException)?.code;
    if (
      typeof code === 'string' &&
      /^(ERR_TLS_CERT_ALTNAME_INVALID|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_HAS_EXPIRED)$/.test(
        code,
      )
    ) {
      return new Error(
        `Cassandra's TLS certificate does not verify against PULSE_CASSANDRA_TLS_CA_FILE: ${(candidate as Error).message}`,
        { cause: candidate },
      );
    }
  }
  return undefined;
}
