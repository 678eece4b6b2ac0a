import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, errors, type NatsConnection } from '@nats-io/transport-node';
import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';

import { describeNatsClient, natsClientOptions, type NatsClientOptions } from './nats-client-options.js';
import { ensureStreams } from './stream-provisioner.js';
import { type StreamSpec } from './stream-specs.js';

export interface JetStreamConnectionOptions {
  /** NATS server URLs; the client fails over between them. */
  servers: string[];
  /** Connection name shown in NATS monitoring (`connz`). */
  name: string;
  /** Streams this service provisions (idempotently) before it starts. */
  streams: StreamSpec[];
  /** User, password and TLS; read from PULSE_NATS_* (natsClientOptions) when absent. */
  client?: NatsClientOptions;
}

/**
 * One NATS connection per process. It waits for a server at start-up instead of crashing when NATS
 * is not up yet, reconnects forever afterwards, and drains on shutdown (in-flight publishes are
 * flushed, subscriptions finish) so SIGTERM loses nothing that was already handed to it.
 */
export class JetStreamConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(JetStreamConnection.name);
  private connection?: NatsConnection;
  private client?: JetStreamClient;
  private manager?: JetStreamManager;
  /** False between a `disconnect` and the next `reconnect`: publishes would only queue then. */
  private serverReachable = false;
  private readonly identity: NatsClientOptions;
  private closing = false;

  constructor(private readonly options: JetStreamConnectionOptions) {
    this.identity = options.client ?? natsClientOptions(process.env, options.servers);
  }

  onModuleInit(): Promise<void> {
    return this.open();
  }

  /** Runs after every consumer stopped (they stop in onModuleDestroy/beforeApplicationShutdown). */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  async open(): Promise<void> {
    this.logger.log(`connecting to NATS ${this.options.servers.join(',')} ${describeNatsClient(this.identity)}`);
    try {
      this.connection = await connect({
        ...this.identity,
        servers: this.options.servers,
        name: this.options.name,
        waitOnFirstConnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1_000,
        pingInterval: 10_000,
      });
    } catch (error) {
      if (error instanceof errors.AuthorizationError) {
        throw new Error(
          `NATS refused ${this.identity.user ? `user ${this.identity.user}` : 'a connection without a user'}: ` +
            `${error.message} (check PULSE_NATS_USER and PULSE_NATS_PASSWORD_FILE against the server's users)`,
          { cause: error },
        );
      }
      throw error;
    }
    this.serverReachable = true;
    void this.watchStatus(this.connection);
    void this.watchRefusal(this.connection);
    this.manager = await jetstreamManager(this.connection, { timeout: 10_000 });
    this.client = jetstream(this.connection, { timeout: 10_000 });
    await ensureStreams(this.manager, this.options.streams);
    this.logger.log(
      `connected to ${this.connection.getServer()}; streams ready: ${this.options.streams.map((s) => s.name).join(', ')}`,
    );
  }

  get nats(): NatsConnection {
    if (!this.connection) throw new Error('NATS connection is not open yet');
    return this.connection;
  }

  /**
   * Where this connection's replies arrive (`_INBOX.<user>` with a user): for nats.js calls that
   * take their own prefix instead of the connection's, such as `startFastIngest`.
   */
  get inboxPrefix(): string {
    return this.identity.inboxPrefix ?? '_INBOX';
  }

  get js(): JetStreamClient {
    if (!this.client) throw new Error('JetStream client is not open yet');
    return this.client;
  }

  get jsm(): JetStreamManager {
    if (!this.manager) throw new Error('JetStream manager is not open yet');
    return this.manager;
  }

  /** True while connected to a server (readiness; callers fail fast instead of queueing). */
  isConnected(): boolean {
    return (
      this.serverReachable &&
      this.connection !== undefined &&
      !this.connection.isClosed() &&
      !this.connection.isDraining()
    );
  }

  async close(): Promise<void> {
    this.closing = true;
    const connection = this.connection;
    if (!connection || connection.isClosed()) return;
    try {
      await connection.drain();
    } catch (error) {
      this.logger.warn(`NATS drain failed: ${(error as Error).message}`);
      await connection.close();
    }
  }

  /**
   * nats.js stops reconnecting after the server refused the user twice in a row (a rotated
   * password, a deleted user): the connection is closed for good and the service would stay
   * unready forever. Exit instead, loudly, so the restart reads the current password file.
   */
  private async watchRefusal(connection: NatsConnection): Promise<void> {
    const error = await connection.closed();
    if (this.closing || !(error instanceof errors.AuthorizationError)) return;
    this.logger.error(
      `NATS refused ${this.identity.user ? `user ${this.identity.user}` : 'this connection'} on reconnect ` +
        `(${error.message}) and the client gave up: exiting so that a restart reads PULSE_NATS_PASSWORD_FILE again`,
    );
    process.exit(1);
  }

  private async watchStatus(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') this.serverReachable = false;
      if (status.type === 'reconnect') this.serverReachable = true;
      if (status.type === 'error' && status.error instanceof errors.PermissionViolationError) {
        // The server refused one operation and keeps the connection: say which, once per event,
        // so a missing permission shows up in the log rather than as a silent timeout.
        const { operation, subject } = status.error;
        this.logger.error(
          `NATS permissions violation: ${operation} to "${subject}" refused for ` +
            `${this.identity.user ? `user ${this.identity.user}` : 'this connection'} ` +
            `(its allowed subjects: helm/pulse/files/nats-permissions.json, docs/security.md)`,
        );
      } else if (status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'error') {
        const detail =
          'server' in status
            ? ` ${String(status.server)}`
            : 'error' in status
              ? ` ${String((status.error as Error)?.message)}`
              : '';
        this.logger.warn(`NATS ${status.type}${detail}`);
      }
    }
  }
}
