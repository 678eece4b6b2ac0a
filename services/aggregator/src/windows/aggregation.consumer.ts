import { STREAMS, subjects, type CleanEventV1 } from '@pulse/contracts';
import { decodeJson, encodeJson, JetStreamConnection, PullConsumer } from '@pulse/messaging';

import { type JsMsg } from '@nats-io/jetstream';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';

import { AGGREGATOR_CONFIG, type AggregatorConfig } from '../aggregator.config.js';
import { ownedPartitions, PartitionWindows } from './partition-windows.js';

interface OwnedPartition {
  windows: PartitionWindows;
  consumer: PullConsumer;
  /** Folded but not yet acked: acked only after a partial carrying them was persisted. */
  pending: JsMsg[];
}

/**
 * One durable consumer per owned partition (so a partition's position moves with it when
 * replicas change). Events are folded into memory; every tick the changed windows are published
 * as full-state partials to `pulse.agg.<p>`, and the events they contain are acked only after
 * JetStream acked those partials.
 */
@Injectable()
export class AggregationConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AggregationConsumer.name);
  private readonly owned = new Map<number, OwnedPartition>();
  private timer?: NodeJS.Timeout;
  private emitting: Promise<void> = Promise.resolve();

  constructor(
    private readonly nats: JetStreamConnection,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const partitions = ownedPartitions(
      this.config.PULSE_PARTITIONS,
      this.config.PULSE_AGGREGATOR_REPLICAS,
      this.config.PULSE_AGGREGATOR_REPLICA_INDEX,
    );
    for (const partition of partitions) {
      const consumer = new PullConsumer(this.nats, {
        stream: STREAMS.clean.name,
        durable: `aggregator-p${partition}`,
        filterSubjects: [subjects.clean(partition)],
        maxInFlight: this.config.PULSE_AGGREGATOR_MAX_PENDING,
        ackWaitMs: 60_000,
        maxDeliver: -1,
      });
      const state: OwnedPartition = { windows: new PartitionWindows(partition), consumer, pending: [] };
      this.owned.set(partition, state);
      await consumer.start(async (message) => this.fold(state, message));
    }
    this.timer = setInterval(() => {
      this.emitting = this.emitting.then(() => this.emitAll());
    }, this.config.PULSE_AGGREGATOR_EMIT_INTERVAL_MS);
    this.logger.log(`owning partitions ${partitions.join(',')} of ${this.config.PULSE_PARTITIONS}`);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.owned.values()].map((state) => state.consumer.stop()));
    // Drain: emit what was folded so the pending events can be acked before the connection closes.
    this.emitting = this.emitting.then(() => this.emitAll());
    await this.emitting;
  }

  private async fold(state: OwnedPartition, message: JsMsg): Promise<void> {
    let event: CleanEventV1;
    try {
      event = decodeJson(message.data) as CleanEventV1;
    } catch {
      // The cleaner only publishes valid JSON; anything else is not ours to count.
      this.logger.error(`dropping undecodable message ${message.subject}#${message.seq}`);
      message.term();
      return;
    }
    state.windows.fold(event, message.seq);
    state.pending.push(message);
  }

  private async emitAll(): Promise<void> {
    await Promise.all([...this.owned.entries()].map(([partition, state]) => this.emit(partition, state)));
  }

  private async emit(partition: number, state: OwnedPartition): Promise<void> {
    const pending = state.pending;
    state.pending = [];
    const partials = state.windows.takeChanged();
    if (partials.length === 0 && pending.length === 0) return;
    try {
      await Promise.all(
        partials.map((partial) =>
          this.nats.js.publish(subjects.agg(partition), encodeJson(partial), {
            msgID: `${partition}:${partial.tenant}:${partial.granularity}:${partial.window_start}:${partial.dimension}:${partial.version}`,
          }),
        ),
      );
    } catch (error) {
      this.logger.warn(
        `emitting ${partials.length} partials of partition ${partition} failed: ${(error as Error).message}`,
      );
      state.windows.markChanged(partials);
      state.pending = pending.concat(state.pending);
      return;
    }
    for (const message of pending) message.ack();
  }
}
