import { lastToken, messageId, STREAMS, subjects, validateRawEvent } from '@pulse/contracts';
import { decodeJson, encodeJson, JetStreamConnection, PullConsumer } from '@pulse/messaging';

import { type JsMsg } from '@nats-io/jetstream';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';

import { CLEANER_CONFIG, type CleanerConfig } from '../cleaner.config.js';
import { cleanEvent, type CleaningContext, type DlqReason } from './clean-event.js';

/**
 * Shell around cleanEvent(): pull from `pulse.raw.>`, publish to `pulse.clean.<p>` or
 * `pulse.dlq.<tenant>` with the same msg id, and only then ack the raw message. A crash between
 * publish and ack redelivers; the clean/dlq publish of the retry is deduplicated by JetStream.
 */
@Injectable()
export class CleaningConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CleaningConsumer.name);
  private consumer?: PullConsumer;

  constructor(
    private readonly nats: JetStreamConnection,
    @Inject(CLEANER_CONFIG) private readonly config: CleanerConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new PullConsumer(this.nats, {
      stream: STREAMS.raw.name,
      durable: 'cleaner',
      filterSubjects: ['pulse.raw.>'],
      maxInFlight: this.config.PULSE_CLEANER_MAX_IN_FLIGHT,
      ackWaitMs: 30_000,
      maxDeliver: this.config.PULSE_CLEANER_MAX_DELIVER,
    });
    await this.consumer.start((message) => this.handle(message));
    this.logger.log('consuming pulse.raw.>');
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer?.stop();
  }

  private async handle(message: JsMsg): Promise<void> {
    const tenant = lastToken(message.subject);
    const context: CleaningContext = {
      tenant,
      partitions: this.config.PULSE_PARTITIONS,
      pseudonymKey: { id: this.config.PULSE_CLEANER_PSEUDONYM_KEY_ID, secret: this.config.PULSE_CLEANER_PSEUDONYM_KEY },
    };
    let body: unknown;
    try {
      body = decodeJson(message.data);
    } catch (error) {
      await this.deadLetter(message, tenant, `seq-${message.seq}`, 'invalid_json', (error as Error).message);
      return;
    }
    const validation = validateRawEvent(body);
    if (!validation.ok) {
      const eventId =
        typeof (body as { event_id?: unknown })?.event_id === 'string'
          ? (body as { event_id: string }).event_id
          : `seq-${message.seq}`;
      await this.deadLetter(message, tenant, eventId, 'schema_violation', validation.reason);
      return;
    }
    const outcome = cleanEvent(validation.event, context);
    if (!outcome.ok) {
      await this.deadLetter(message, tenant, validation.event.event_id, outcome.reason, outcome.detail);
      return;
    }
    await this.nats.js.publish(subjects.clean(outcome.event.partition), encodeJson(outcome.event), {
      msgID: messageId(tenant, outcome.event.event_id),
    });
    message.ack();
  }

  private async deadLetter(
    message: JsMsg,
    tenant: string,
    eventId: string,
    reason: DlqReason,
    detail: string,
  ): Promise<void> {
    // The original payload is not forwarded raw: it may hold PII (issue 3 adds a scrubbed copy).
    await this.nats.js.publish(
      subjects.dlq(tenant),
      encodeJson({ v: 1, tenant, event_id: eventId, reason, detail, raw_seq: message.seq }),
      { msgID: messageId(tenant, eventId) },
    );
    message.ack();
  }
}
