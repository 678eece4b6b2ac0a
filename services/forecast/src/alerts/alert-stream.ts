import { decodeAlert, STREAMS, subjects, type AlertV1 } from '@pulse/contracts';
import { encodeJson, JetStreamConnection } from '@pulse/messaging';

import {
  DeliverPolicy,
  type Consumer,
  type ConsumerMessages,
  type JsMsg,
  type OrderedConsumerOptions,
} from '@nats-io/jetstream';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Observable, type Subscriber } from 'rxjs';

import { type AlertsPageQuery } from './alert-requests.js';

/** An alert as the PULSE_ALERTS stream holds it. */
export interface StoredAlert {
  readonly alert: AlertV1;
  readonly sequence: number;
}

export interface AlertsPage {
  readonly alerts: readonly StoredAlert[];
  /** Stream sequence the next page starts at; undefined when this page reached the newest alert. */
  readonly nextSequence?: number;
}

/** NATS could not publish or read alerts (not connected, stream unreachable, ...). */
export class AlertsUnavailableError extends Error {
  override readonly name = 'AlertsUnavailableError';
}

/** The server is shutting down: open WatchAlerts calls end with this. */
export class ShuttingDownError extends Error {
  override readonly name = 'ShuttingDownError';
}

/** How long a page read waits for messages the consumer said are pending. */
const FETCH_EXPIRES_MS = 5_000;
/** Alerts read back at most when the watcher seeds what it already raised. */
const MAX_RECENT = 10_000;

/**
 * The PULSE_ALERTS stream as the service uses it: the watcher publishes each alert to
 * `pulse.alerts.<tenant>` with Nats-Msg-Id = the alert id, so a re-publish within the stream's
 * duplicate window is dropped by JetStream; ListAlerts pages through a tenant's subject and
 * WatchAlerts follows it, each call with an ordered consumer of its own filtered to that subject
 * (so no call ever sees another tenant's alerts).
 */
@Injectable()
export class AlertStream implements OnModuleDestroy {
  private readonly logger = new Logger(AlertStream.name);
  private readonly watches = new Set<Subscriber<StoredAlert>>();
  private closing = false;

  constructor(private readonly nats: JetStreamConnection) {}

  /** @returns whether JetStream dropped it as a duplicate of an alert it already holds */
  async publish(alert: AlertV1): Promise<{ duplicate: boolean; sequence: number }> {
    try {
      const ack = await this.nats.js.publish(subjects.alerts(alert.tenant), encodeJson(alert), { msgID: alert.id });
      return { duplicate: ack.duplicate, sequence: ack.seq };
    } catch (error) {
      throw new AlertsUnavailableError(`alert not published: ${(error as Error).message}`);
    }
  }

  /** One page of a tenant's alerts, oldest first. */
  async page(tenant: string, query: AlertsPageQuery): Promise<AlertsPage> {
    let consumer;
    try {
      consumer = await this.nats.js.consumers.get(STREAMS.alerts.name, this.consumerOptions(tenant, query));
    } catch (error) {
      throw new AlertsUnavailableError(`alerts stream unavailable: ${(error as Error).message}`);
    }
    try {
      const pending = (await consumer.info(true)).num_pending;
      if (pending === 0) return { alerts: [] };
      const batch = await consumer.fetch({
        max_messages: Math.min(pending, query.pageSize),
        expires: FETCH_EXPIRES_MS,
      });
      const alerts: StoredAlert[] = [];
      let last: JsMsg | undefined;
      for await (const message of batch) {
        last = message;
        const stored = this.decode(message);
        if (stored) alerts.push(stored);
      }
      const more = last ? last.info.pending > 0 : pending > 0;
      const resumeAt = last ? last.seq + 1 : query.fromSequence;
      return { alerts, nextSequence: more ? resumeAt : undefined };
    } catch (error) {
      throw new AlertsUnavailableError(`alerts stream unavailable: ${(error as Error).message}`);
    } finally {
      await consumer.delete().catch(() => undefined);
    }
  }

  /** Every retained alert of a tenant (raised at or after `since`, when given; bounded), oldest first. */
  async recent(tenant: string, since?: number): Promise<AlertV1[]> {
    const alerts: AlertV1[] = [];
    let page = await this.page(tenant, { since, pageSize: 1_000 });
    for (;;) {
      alerts.push(...page.alerts.map((stored) => stored.alert));
      if (page.nextSequence === undefined || alerts.length >= MAX_RECENT) return alerts;
      page = await this.page(tenant, { fromSequence: page.nextSequence, pageSize: 1_000 });
    }
  }

  /**
   * A tenant's alerts as they arrive (after replaying those since `since`, when given), until the
   * subscriber unsubscribes (the gRPC call was cancelled) or the service shuts down.
   */
  watch(tenant: string, since?: number): Observable<StoredAlert> {
    return new Observable<StoredAlert>((subscriber) => {
      // A watch opened while the server shuts down (a client reconnecting at once) would hold the
      // gRPC server's graceful shutdown open until NATS is gone: refuse it like the open ones.
      if (this.closing) {
        subscriber.error(new ShuttingDownError('the forecast server is shutting down; watch again'));
        return;
      }
      let consumer: Consumer | undefined;
      let messages: ConsumerMessages | undefined;
      let closed = false;
      const release = async () => {
        await messages?.close()?.catch(() => undefined);
        await consumer?.delete().catch(() => undefined);
      };
      this.watches.add(subscriber);
      const follow = async () => {
        consumer = await this.nats.js.consumers.get(STREAMS.alerts.name, this.consumerOptions(tenant, { since }, true));
        messages = await consumer.consume({ max_messages: 100 });
        if (closed) {
          await release();
          return;
        }
        for await (const message of messages) {
          const stored = this.decode(message);
          if (stored) subscriber.next(stored);
        }
        if (!closed) subscriber.error(new AlertsUnavailableError('the alerts stream ended'));
      };
      follow().catch((error: unknown) => {
        if (!closed)
          subscriber.error(new AlertsUnavailableError(`alerts stream unavailable: ${(error as Error).message}`));
      });
      return () => {
        closed = true;
        this.watches.delete(subscriber);
        void release();
      };
    });
  }

  /** Ends every open watch (before the gRPC server's graceful shutdown waits for its calls). */
  onModuleDestroy(): void {
    this.closing = true;
    for (const subscriber of [...this.watches]) {
      subscriber.error(new ShuttingDownError('the forecast server is shutting down; watch again'));
    }
  }

  private consumerOptions(
    tenant: string,
    query: { since?: number; fromSequence?: number },
    onlyNew = false,
  ): Partial<OrderedConsumerOptions> {
    const filter = { filter_subjects: [subjects.alerts(tenant)] };
    if (query.fromSequence !== undefined) {
      return { ...filter, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: query.fromSequence };
    }
    if (query.since !== undefined) {
      return {
        ...filter,
        deliver_policy: DeliverPolicy.StartTime,
        opt_start_time: new Date(query.since).toISOString(),
      };
    }
    return { ...filter, deliver_policy: onlyNew ? DeliverPolicy.New : DeliverPolicy.All };
  }

  private decode(message: JsMsg): StoredAlert | undefined {
    // The subject's tenant is the only one a reader was authorized for: a body naming another is not shown.
    const alert = decodeAlert(message.data, message.subject);
    if (!alert) {
      this.logger.error(`skipping a message that is not an alert of its subject: ${message.subject}#${message.seq}`);
      return undefined;
    }
    return { alert, sequence: message.seq };
  }
}
