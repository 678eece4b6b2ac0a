import { copyTraceHeaders, JetStreamConnection, tracedPublish } from '@pulse/messaging';

// Fast-ingest is exported from the client's `internal` entry point in @nats-io/jetstream 3.4
// (pinned); it is the nats.js API for JetStream's fast batch publishing (nats-server ≥ 2.14).
import { startFastIngest } from '@nats-io/jetstream/internal';
import { type MsgHdrs } from '@nats-io/transport-node';
import { Inject, Injectable } from '@nestjs/common';

import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config.js';

export interface RawMessage {
  msgId: string;
  payload: Uint8Array;
}

/**
 * Persists one request's events on `pulse.raw.<tenant>` and resolves when JetStream has them all.
 *
 * - `per-event` (default): one publish and one ack per event, pipelined. Exact: the answer can
 *   say how many events JetStream recognised as retries (`duplicates`).
 * - `batch`: one JetStream fast-ingest batch per request, flow-controlled by the server (several
 *   times the throughput on small machines, see README "Benchmarks"). Events are still
 *   deduplicated by their Nats-Msg-Id, but the batch ack does not say which, so retried events
 *   are reported as accepted.
 *
 * Resolves with the number of events JetStream reported as duplicates (always 0 in `batch`).
 * Each publish is a PRODUCER span (one for the whole batch in `batch` mode) whose context travels
 * in the message headers, so the cleaner's span of an event continues the request's trace.
 */
@Injectable()
export class RawPublisher {
  constructor(
    private readonly nats: JetStreamConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  get mode(): GatewayConfig['PULSE_INGEST_PUBLISH_MODE'] {
    return this.config.PULSE_INGEST_PUBLISH_MODE;
  }

  async publish(subject: string, messages: readonly RawMessage[]): Promise<{ duplicates: number }> {
    if (messages.length === 0) return { duplicates: 0 };
    const timeout = this.config.PULSE_INGEST_PUBLISH_TIMEOUT_MS;
    if (this.mode === 'per-event' || messages.length === 1) {
      const acks = await Promise.all(
        messages.map((m) =>
          tracedPublish(subject, { msgId: m.msgId, bodySize: m.payload.length }, undefined, (headers) =>
            this.nats.js.publish(subject, m.payload, { msgID: m.msgId, timeout, headers }),
          ),
        ),
      );
      return { duplicates: acks.filter((ack) => ack.duplicate).length };
    }
    return tracedPublish(subject, { batchSize: messages.length }, undefined, (headers) =>
      this.publishBatch(subject, messages, timeout, headers),
    );
  }

  private async publishBatch(
    subject: string,
    messages: readonly RawMessage[],
    timeout: number,
    trace: MsgHdrs | undefined,
  ): Promise<{ duplicates: number }> {
    const [first, ...rest] = messages;
    const last = rest.pop() as RawMessage;
    // Gaps are not allowed: if the server dropped any message the batch fails, the client gets
    // 503 and its retry is deduplicated message by message.
    const batch = await startFastIngest(this.nats.nats, subject, first.payload, {
      msgID: first.msgId,
      // The per-user reply subjects NATS permissions allow (startFastIngest has its own prefix).
      inboxPrefix: this.nats.inboxPrefix,
      allowGaps: false,
      ackInterval: 100,
      timeout,
      headers: copyTraceHeaders(trace),
    });
    for (const m of rest) await batch.add(subject, m.payload, { msgID: m.msgId, headers: copyTraceHeaders(trace) });
    await batch.last(subject, last.payload, { msgID: last.msgId, timeout, headers: copyTraceHeaders(trace) });
    return { duplicates: 0 };
  }
}
