import { STREAMS, WindowPartialV1Schema, type WindowPartialV1 } from '@pulse/contracts';
import { decodeJson, JetStreamConnection, PullConsumer } from '@pulse/messaging';

import { type JsMsg } from '@nats-io/jetstream';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Ajv } from 'ajv';

import { STORE_CONFIG, type StoreConfig } from '../store.config.js';
import { PartialsRepository } from './partials.repository.js';

const validatePartial = new Ajv({ strict: false }).compile<WindowPartialV1>(WindowPartialV1Schema);

/** `pulse.agg.>` → Cassandra. Acks after the write; a failed write is retried (nak with delay). */
@Injectable()
export class PartialsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PartialsConsumer.name);
  private consumer?: PullConsumer;

  constructor(
    private readonly nats: JetStreamConnection,
    private readonly partials: PartialsRepository,
    @Inject(STORE_CONFIG) private readonly config: StoreConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new PullConsumer(this.nats, {
      stream: STREAMS.agg.name,
      durable: 'store',
      filterSubjects: ['pulse.agg.>'],
      maxInFlight: this.config.PULSE_STORE_MAX_IN_FLIGHT,
      ackWaitMs: 30_000,
      maxDeliver: -1,
    });
    await this.consumer.start((message) => this.handle(message));
    this.logger.log('consuming pulse.agg.>');
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer?.stop();
  }

  private async handle(message: JsMsg): Promise<void> {
    let partial: unknown;
    try {
      partial = decodeJson(message.data);
    } catch {
      partial = undefined;
    }
    if (!validatePartial(partial)) {
      this.logger.error(`terminating malformed partial ${message.subject}#${message.seq}`);
      message.term();
      return;
    }
    await this.partials.upsert(partial);
    message.ack();
  }
}
