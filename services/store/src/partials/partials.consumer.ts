import { NEWEST_EVENT_HEADER, STREAMS } from '@pulse/contracts';
import { decodeJson, durableConsumerLag, JetStreamConnection, PullConsumer, trackConsumerLag } from '@pulse/messaging';
import { withSpan } from '@pulse/telemetry';

import { type JsMsg } from '@nats-io/jetstream';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SpanKind, trace } from '@opentelemetry/api';

import { STORE_CONFIG, type StoreConfig } from '../store.config.js';
import { CoalescingWriter } from './coalescing-writer.js';
import { checkPartial, type PartialCheck } from './partial-validation.js';
import { PartialsRepository } from './partials.repository.js';
import { countPartial, recordFreshness } from './write-metrics.js';

/**
 * `pulse.agg.>` → Cassandra. Acks after the write (or after a newer version of the same row was
 * written: see CoalescingWriter); a failed write throws, so the pull consumer naks it with a
 * delay and it is retried. A malformed partial can never be written, so it is terminated (logged,
 * never redelivered) instead of looping. Each message is handled in its `process pulse.agg.*` span
 * (the aggregator's publish is its parent); the write is an `upsert window_partial` span under it,
 * with Cassandra's statement spans as its children.
 */
const tracer = trace.getTracer('@pulse/store');

@Injectable()
export class PartialsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PartialsConsumer.name);
  private consumer?: PullConsumer;
  private writer?: CoalescingWriter;
  private untrackLag?: () => void;

  constructor(
    private readonly nats: JetStreamConnection,
    private readonly partials: PartialsRepository,
    @Inject(STORE_CONFIG) private readonly config: StoreConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.writer = new CoalescingWriter(
      (partial) =>
        withSpan(
          tracer,
          'upsert window_partial',
          {
            kind: SpanKind.INTERNAL,
            attributes: { 'pulse.partition': partial.partition, 'pulse.version': partial.version },
          },
          async (span) => {
            const outcome = await this.partials.upsert(partial);
            span?.setAttribute('pulse.write.outcome', outcome);
            return outcome;
          },
        ),
      this.config.PULSE_STORE_WRITE_CONCURRENCY,
    );
    this.consumer = new PullConsumer(this.nats, {
      stream: STREAMS.agg.name,
      durable: 'store',
      filterSubjects: ['pulse.agg.>'],
      maxInFlight: this.config.PULSE_STORE_MAX_IN_FLIGHT,
      ackWaitMs: 30_000,
      maxDeliver: -1,
    });
    await this.consumer.start((message) => this.handle(message));
    this.untrackLag = trackConsumerLag(durableConsumerLag(this.nats, STREAMS.agg.name, 'store'));
    this.logger.log('consuming pulse.agg.>');
  }

  async onModuleDestroy(): Promise<void> {
    this.untrackLag?.();
    await this.consumer?.stop();
  }

  private async handle(message: JsMsg): Promise<void> {
    let decoded: unknown;
    try {
      decoded = decodeJson(message.data);
    } catch {
      decoded = undefined;
    }
    const check: PartialCheck = decoded === undefined ? { problem: 'not UTF-8 JSON' } : checkPartial(decoded);
    if (!check.partial) {
      this.logger.error(`terminating malformed partial ${message.subject}#${message.seq}: ${check.problem}`);
      message.term(check.problem);
      countPartial('malformed');
      return;
    }
    try {
      await this.writer?.submit(check.partial);
    } catch (error) {
      countPartial('failed');
      throw error;
    }
    // Resolved when Cassandra acknowledged this row's write (or a newer version's): its events are
    // visible to queries from now on.
    const newest = Number(message.headers?.get(NEWEST_EVENT_HEADER) || Number.NaN);
    if (Number.isFinite(newest)) recordFreshness(Date.now(), newest);
    countPartial('stored');
    message.ack();
  }
}
