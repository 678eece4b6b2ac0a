import { lastToken, messageId, STREAMS, subjects } from '@pulse/contracts';
import {
  decodeJson,
  durableConsumerLag,
  encodeJson,
  JetStreamConnection,
  PullConsumer,
  tracedPublish,
  trackConsumerLag,
} from '@pulse/messaging';

import { type JsMsg } from '@nats-io/jetstream';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';

import { baseCurrencyOf, CLEANER_SETTINGS, type CleanerSettings } from '../cleaner.config.js';
import { cleanRawEvent, type CleaningContext } from './clean-event.js';
import { createCleanPublisher, type CleanPublish } from './clean-publisher.js';
import { countCleanerOutcome, countDeadLetter } from './cleaner-metrics.js';
import { scrubForDlq, type DlqPayload } from './dlq-payload.js';
import { type DlqReason } from './dlq-reasons.js';
import { normalizeId } from './identifiers.js';
import { pseudonymize } from './privacy.js';

/** What `pulse.dlq.<tenant>` carries: the reason and a scrubbed copy, never the raw payload. */
export interface DlqMessage {
  v: 1;
  reason: DlqReason;
  detail: string;
  event_id: string;
  tenant: string;
  raw_seq: number;
  /** scrubForDlq(raw); null when the body was not JSON at all */
  payload: DlqPayload | null;
}

type Stage = 'decode' | 'clean' | 'publish';

/**
 * Shell around cleanRawEvent(): pull from `pulse.raw.>`, publish to `pulse.clean.<p>` or
 * `pulse.dlq.<tenant>` with msg id `<tenant>:<event_id>`, and only then ack the raw message. A
 * crash between publish and ack redelivers; the retried publish is deduplicated by JetStream.
 * Nothing here logs a payload or a field value: log lines carry subjects, sequences and reasons.
 * Each message is handled in the pull consumer's `process` span; its clean or DLQ publish is a
 * PRODUCER span under it whose context the message carries on to the aggregator.
 */
@Injectable()
export class CleaningConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CleaningConsumer.name);
  private consumer?: PullConsumer;
  private publishClean?: CleanPublish;
  private untrackLag?: () => void;

  constructor(
    private readonly nats: JetStreamConnection,
    @Inject(CLEANER_SETTINGS) private readonly settings: CleanerSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const env = this.settings.env;
    this.publishClean = createCleanPublisher(this.nats, env.PULSE_CLEANER_PUBLISH_MODE ?? 'per-event');
    this.consumer = new PullConsumer(this.nats, {
      stream: STREAMS.raw.name,
      durable: 'cleaner',
      filterSubjects: ['pulse.raw.>'],
      maxInFlight: env.PULSE_CLEANER_MAX_IN_FLIGHT,
      ackWaitMs: 30_000,
      // The server never gives up on a message: the cleaner decides (onFailure). A limit here
      // would strand a message unacked, or force dead-lettering good events during an outage.
      maxDeliver: -1,
    });
    await this.consumer.start((message) => this.handle(message));
    this.untrackLag = trackConsumerLag(durableConsumerLag(this.nats, STREAMS.raw.name, 'cleaner'));
    const { rates, keyring } = this.settings;
    this.logger.log(
      `consuming pulse.raw.> (base currency ${this.settings.defaultBaseCurrency}, ` +
        `${this.settings.tenantBaseCurrencies.size} tenant override(s), ${rates.rates.size} rates against ` +
        `${rates.quote}${rates.asOf ? ` as of ${rates.asOf}` : ''}, pseudonym key ${keyring.active.id} ` +
        `of ${keyring.keys.size})`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.untrackLag?.();
    await this.consumer?.stop();
  }

  /**
   * One raw message: clean or dead-letter it, then ack. A publish that did not go through (NATS or
   * JetStream unavailable, a timeout) is thrown, so the message is redelivered with backoff until
   * JetStream takes it — however long the outage: an acknowledged event is never dead-lettered
   * because of the infrastructure. Only a failure of the message itself (an exception while
   * decoding or cleaning it) is bounded: on delivery PULSE_CLEANER_MAX_DELIVER it is dead-lettered
   * as `max_deliveries_exceeded` and acked, so a poison message never loops.
   */
  async handle(message: JsMsg): Promise<void> {
    const tenant = lastToken(message.subject);
    let stage: Stage = 'decode';
    let body: unknown;
    let decoded = false;
    try {
      body = decodeJson(message.data);
      decoded = true;
    } catch {
      // The parser's message quotes the body, which may hold PII: it is not kept.
    }
    try {
      if (!decoded) {
        stage = 'publish';
        await this.deadLetter(message, tenant, undefined, 'invalid_json', `body of ${message.data.length} bytes`);
        return;
      }
      stage = 'clean';
      const outcome = cleanRawEvent(body, this.contextFor(tenant));
      stage = 'publish';
      if (outcome.ok) {
        const publish = (this.publishClean ??= createCleanPublisher(this.nats, 'per-event'));
        const subject = subjects.clean(outcome.event.partition);
        const data = encodeJson(outcome.event);
        const msgId = messageId(tenant, outcome.event.event_id);
        await tracedPublish(subject, { msgId, bodySize: data.length }, undefined, (headers) =>
          publish(subject, data, msgId, headers),
        );
        message.ack();
        countCleanerOutcome('clean');
        return;
      }
      await this.deadLetter(message, tenant, body, outcome.reason, outcome.detail);
    } catch (error) {
      await this.onFailure(message, tenant, decoded ? body : undefined, stage, error);
    }
  }

  private async onFailure(message: JsMsg, tenant: string, body: unknown, stage: Stage, error: unknown): Promise<void> {
    // A cleaning bug's message could quote a field value; a transport error's cannot.
    const cause = stage === 'clean' ? `${(error as Error)?.name ?? 'Error'} while cleaning` : (error as Error)?.message;
    const deliveries = message.info.deliveryCount;
    const max = this.settings.env.PULSE_CLEANER_MAX_DELIVER;
    if (stage === 'publish') {
      // Transport, not the message: retried (PullConsumer backs off) until NATS takes it.
      countCleanerOutcome('retry');
      throw new Error(`publish failed for ${message.subject}#${message.seq} (delivery ${deliveries}): ${cause}`);
    }
    const where = `${message.subject}#${message.seq} (delivery ${deliveries} of ${max})`;
    if (deliveries < max) {
      countCleanerOutcome('retry');
      throw new Error(`${stage} failed for ${where}: ${cause}`);
    }
    this.logger.warn(`${stage} failed for ${where}: ${cause}; dead-lettering as max_deliveries_exceeded`);
    try {
      await this.deadLetter(message, tenant, body, 'max_deliveries_exceeded', `${stage}: ${cause}`);
    } catch (dlqError) {
      // Unacked: redelivered (the consumer has no delivery limit) and dead-lettered then.
      this.logger.error(`dead-lettering ${where} failed: ${(dlqError as Error)?.message}; it will be redelivered`);
      throw dlqError;
    }
  }

  private contextFor(tenant: string): CleaningContext {
    return {
      tenant,
      partitions: this.settings.env.PULSE_PARTITIONS,
      now: Date.now(),
      maxFutureSkewMs: this.settings.env.PULSE_CLEANER_MAX_FUTURE_SKEW_MS,
      keyring: this.settings.keyring,
      baseCurrency: baseCurrencyOf(this.settings, tenant),
      rates: this.settings.rates,
    };
  }

  private async deadLetter(
    message: JsMsg,
    tenant: string,
    body: unknown,
    reason: DlqReason,
    detail: string,
  ): Promise<void> {
    const sentId = (body as { event_id?: unknown } | null)?.event_id;
    // An id that could not have been a header value (the gateway published with it) is replaced.
    const eventId =
      typeof sentId === 'string' && sentId.length > 0 && sentId.length <= 128 && !/\p{Cc}/u.test(sentId)
        ? sentId
        : `seq-${message.seq}`;
    const active = this.settings.keyring.active;
    const dlqMessage: DlqMessage = {
      v: 1,
      reason,
      detail,
      event_id: eventId,
      tenant,
      raw_seq: message.seq,
      payload:
        body === undefined
          ? null
          : scrubForDlq(body, {
              userKey: (userId) => {
                const id = normalizeId(userId);
                return id === undefined ? undefined : pseudonymize(tenant, id, active);
              },
            }),
    };
    const subject = subjects.dlq(tenant);
    const data = encodeJson(dlqMessage);
    const msgId = messageId(tenant, eventId);
    await tracedPublish(subject, { msgId, bodySize: data.length }, undefined, (headers) =>
      this.nats.js.publish(subject, data, { msgID: msgId, headers }),
    );
    message.ack();
    countDeadLetter(reason, tenant);
  }
}
