import { logLevelEnabled } from '@pulse/telemetry';

import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type ConsumerConfig,
  type ConsumerMessages,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';

import { type JetStreamConnection } from './jetstream-connection.js';
import { tracedProcess } from './message-tracing.js';

export interface PullConsumerOptions {
  stream: string;
  /** Durable name: the consumer (and its position) outlives restarts. */
  durable: string;
  filterSubjects: string[];
  /** Upper bound of messages handed to handlers and not yet acked. */
  maxInFlight: number;
  /** How long the server waits for an ack before redelivering. */
  ackWaitMs: number;
  /** After this many deliveries JetStream stops redelivering (the handler sends it to a DLQ first). */
  maxDeliver: number;
}

export type MessageHandler = (message: JsMsg) => Promise<void>;

/**
 * A durable pull consumer with bounded concurrency. Handlers own ack/nak/term; an exception from
 * a handler naks with a delay so the message is retried, never lost. `stop()` stops pulling and
 * waits for every handler in flight — the graceful drain that SIGTERM triggers. Each handler runs
 * in the message's CONSUMER span (`process <subject template>`), a child of its producer's context.
 */
export class PullConsumer {
  private readonly logger: Logger;
  private messages?: ConsumerMessages;
  private readonly inFlight = new Set<Promise<void>>();
  private loop?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly connection: JetStreamConnection,
    private readonly options: PullConsumerOptions,
  ) {
    this.logger = new Logger(`PullConsumer(${options.durable})`);
  }

  async start(handler: MessageHandler): Promise<void> {
    await this.ensureConsumer();
    const consumer = await this.connection.js.consumers.get(this.options.stream, this.options.durable);
    this.messages = await consumer.consume({ max_messages: Math.min(this.options.maxInFlight, 1_000) });
    this.loop = this.run(this.messages, handler);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.messages?.close().catch(() => undefined);
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  private async run(messages: ConsumerMessages, handler: MessageHandler): Promise<void> {
    for await (const message of messages) {
      if (this.stopping) {
        // Not started: let the server redeliver it to whoever runs next, right away.
        message.nak();
        continue;
      }
      while (this.inFlight.size >= this.options.maxInFlight) await Promise.race(this.inFlight);
      const task: Promise<void> = tracedProcess(message, this.options.durable, () => this.handle(message, handler))
        .catch((error: unknown) => {
          this.logger.error(`handler failed for ${message.subject}#${message.seq}: ${(error as Error).message}`);
          message.nak(redeliveryDelayMs(message.info.deliveryCount));
        })
        .finally(() => this.inFlight.delete(task));
      this.inFlight.add(task);
    }
  }

  private async handle(message: JsMsg, handler: MessageHandler): Promise<void> {
    await handler(message);
    // Per message, so debug only: with PULSE_LOG_LEVEL=debug each handled message is one line
    // carrying its trace id — the way from a trace to the logs of one event and back.
    if (logLevelEnabled('debug')) this.logger.debug(`handled ${message.subject}#${message.seq}`);
  }

  private async ensureConsumer(): Promise<void> {
    const config: Partial<ConsumerConfig> = {
      durable_name: this.options.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.options.ackWaitMs),
      max_deliver: this.options.maxDeliver,
      max_ack_pending: this.options.maxInFlight * 2,
      filter_subjects: this.options.filterSubjects,
    };
    const jsm = this.connection.jsm;
    try {
      await jsm.consumers.info(this.options.stream, this.options.durable);
      await jsm.consumers.update(this.options.stream, this.options.durable, config);
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound) {
        await jsm.consumers.add(this.options.stream, config);
      } else {
        throw error;
      }
    }
  }
}

/**
 * How long a failed message waits before its next delivery: 1 s after the first failure, doubling
 * to at most 30 s — so an outage of NATS or Cassandra is retried steadily without a storm.
 */
export function redeliveryDelayMs(deliveryCount: number): number {
  const failures = Number.isFinite(deliveryCount) ? Math.max(1, Math.floor(deliveryCount)) : 1;
  return Math.min(30_000, 1_000 * 2 ** Math.min(failures - 1, 5));
}
