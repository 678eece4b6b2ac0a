import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';

import { ensureStreams } from './stream-provisioner.js';
import { type StreamSpec } from './stream-specs.js';

export interface JetStreamConnectionOptions {
  /** NATS server URLs; the client fails over between them. */
  servers: string[];
  /** Connection name shown in NATS monitoring (`connz`). */
  name: string;
  /** Streams this service provisions (idempotently) before it starts. */
  streams: StreamSpec[];
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

  constructor(private readonly options: JetStreamConnectionOptions) {}

  onModuleInit(): Promise<void> {
    return this.open();
  }

  /** Runs after every consumer stopped (they stop in onModuleDestroy/beforeApplicationShutdown). */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  async open(): Promise<void> {
    this.logger.log(`connecting to NATS ${this.options.servers.join(',')}`);
    this.connection = await connect({
      servers: this.options.servers,
      name: this.options.name,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
      pingInterval: 10_000,
    });
    this.serverReachable = true;
    void this.watchStatus(this.connection);
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
    const connection = this.connection;
    if (!connection || connection.isClosed()) return;
    try {
      await connection.drain();
    } catch (error) {
      this.logger.warn(`NATS drain failed: ${(error as Error).message}`);
      await connection.close();
    }
  }

  private async watchStatus(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') this.serverReachable = false;
      if (status.type === 'reconnect') this.serverReachable = true;
      if (status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'error') {
        const detail = 'server' in status ? ` ${String(status.server)}` : '';
        this.logger.warn(`NATS ${status.type}${detail}`);
      }
    }
  }
}
