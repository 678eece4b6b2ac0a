import { type JetStreamConnection } from '@pulse/messaging';

// Fast-ingest is exported from the client's `internal` entry point in @nats-io/jetstream 3.4
// (pinned); it is nats.js's API for JetStream's fast batch publishing (nats-server ≥ 2.14).
import { startFastIngest } from '@nats-io/jetstream/internal';
import { type MsgHdrs } from '@nats-io/transport-node';

/**
 * Publishes one clean event with its msg id (and the trace-context headers of its publish span, if
 * any); resolves once JetStream holds it.
 */
export type CleanPublish = (subject: string, data: Uint8Array, msgId: string, headers?: MsgHdrs) => Promise<void>;

/** Sends one batch of messages to one stream; resolves when the whole batch is acknowledged. */
export type BatchSender = (
  messages: ReadonlyArray<{ subject: string; data: Uint8Array; msgId: string; headers?: MsgHdrs }>,
) => Promise<void>;

interface Pending {
  subject: string;
  data: Uint8Array;
  msgId: string;
  headers?: MsgHdrs;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Collects concurrent publishes into batches (up to `maxBatch`, or whatever arrived within
 * `lingerMs`) and sends each batch at once; every caller's promise settles with its batch. The
 * consumer still acks a raw message only after its own publish resolved, so a failed batch means
 * redelivery of exactly the messages in it — deduplicated by their msg ids on the retry.
 */
export class MicroBatcher {
  private queue: Pending[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly send: BatchSender,
    private readonly maxBatch = 500,
    private readonly lingerMs = 2,
  ) {}

  publish: CleanPublish = (subject, data, msgId, headers) =>
    new Promise<void>((resolve, reject) => {
      this.queue.push({ subject, data, msgId, headers, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.lingerMs);
    });

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    this.send(batch).then(
      () => batch.forEach((p) => p.resolve()),
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
  }
}

/** A JetStream fast-ingest batch; a gap (dropped message) fails the batch rather than passing. */
export function fastIngestSender(nats: JetStreamConnection): BatchSender {
  return async (messages) => {
    if (messages.length === 1) {
      const [only] = messages;
      await nats.js.publish(only.subject, only.data, { msgID: only.msgId, headers: only.headers });
      return;
    }
    const [first, ...rest] = messages;
    const last = rest.pop() as (typeof messages)[number];
    const batch = await startFastIngest(nats.nats, first.subject, first.data, {
      msgID: first.msgId,
      // The per-user reply subjects NATS permissions allow (startFastIngest has its own prefix).
      inboxPrefix: nats.inboxPrefix,
      allowGaps: false,
      ackInterval: 100,
      headers: first.headers,
    });
    for (const m of rest) await batch.add(m.subject, m.data, { msgID: m.msgId, headers: m.headers });
    await batch.last(last.subject, last.data, { msgID: last.msgId, headers: last.headers });
  };
}

/** `per-event`: one publish and ack per event (default); `batch`: MicroBatcher over fast-ingest. */
export function createCleanPublisher(nats: JetStreamConnection, mode: 'per-event' | 'batch'): CleanPublish {
  if (mode === 'batch') return new MicroBatcher(fastIngestSender(nats)).publish;
  return async (subject, data, msgId, headers) => {
    await nats.js.publish(subject, data, { msgID: msgId, headers });
  };
}
