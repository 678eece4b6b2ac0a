import { type IngestEvent } from '@pulse/client';
import { type proto } from '@pulse/contracts';

import { status, type ServiceError } from '@grpc/grpc-js';

import { type WireEvent } from '../simulator/simulated-event.js';
import {
  abortableSleep,
  DEFAULT_RETRY_POLICY,
  retryDelayMs,
  retryUntilDone,
  type AttemptOutcome,
  type RetryPolicy,
} from './retry-policy.js';
import { countRejections, emptySendStats, FatalSendError, type EventSender, type SendStats } from './send-stats.js';

type IngestResponse = proto.pulse.ingest.v1.IngestResponse;

/** The calls of @pulse/client's IngestClient this sender uses (an interface, so tests can fake it). */
export interface IngestTransport {
  ingest(events: IngestEvent[], deadlineMs?: number): Promise<IngestResponse>;
  ingestStream(batches: AsyncIterable<IngestEvent[]>, deadlineMs?: number): Promise<IngestResponse>;
}

export interface GrpcSenderOptions {
  client: IngestTransport;
  /** a stream is closed (and its summary counted) after this many batches... */
  batchesPerStream?: number;
  /** ...or after this long, so the counts keep coming */
  streamMaxMs?: number;
  /** deadline of each call */
  deadlineMs?: number;
  retry?: Partial<RetryPolicy>;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
}

const RETRYABLE = new Set<number>([
  status.UNAVAILABLE,
  status.RESOURCE_EXHAUSTED,
  status.DEADLINE_EXCEEDED,
  status.ABORTED,
  status.INTERNAL,
  status.UNKNOWN,
]);
const FATAL = new Set<number>([status.UNAUTHENTICATED, status.PERMISSION_DENIED, status.UNIMPLEMENTED]);

/** The wire event in the proto's shape: every value a string, absent fields left out. */
export function toIngestEvent(event: WireEvent): IngestEvent {
  const text = (value: string | number | undefined) => (value === undefined ? undefined : String(value));
  const proto: IngestEvent = {
    eventId: event.event_id,
    type: event.type ?? '',
    occurredAt: text(event.occurred_at) ?? '',
  };
  const optional: Array<[keyof IngestEvent, string | undefined]> = [
    ['userId', event.user_id],
    ['sessionId', event.session_id],
    ['productId', event.product_id],
    ['category', event.category],
    ['quantity', text(event.quantity)],
    ['price', text(event.price)],
    ['currency', event.currency],
    ['orderId', event.order_id],
    ['country', event.country],
    ['channel', event.channel],
    ['email', event.email],
    ['ip', event.ip],
    ['userAgent', event.user_agent],
  ];
  for (const [key, value] of optional) if (value !== undefined) Object.assign(proto, { [key]: value });
  if (event.attributes) {
    proto.attributes = Object.fromEntries(Object.entries(event.attributes).map(([k, v]) => [k, String(v)]));
  }
  return proto;
}

/** An async iterable fed by `push`, which resolves when the consumer has taken the item. */
class BatchChannel implements AsyncIterable<IngestEvent[]> {
  private readonly queued: Array<{ batch: IngestEvent[]; taken: () => void }> = [];
  private waiting?: (result: IteratorResult<IngestEvent[]>) => void;
  private ended = false;

  push(batch: IngestEvent[]): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((taken) => {
      if (this.waiting) {
        const resume = this.waiting;
        this.waiting = undefined;
        resume({ value: batch, done: false });
        taken();
      } else this.queued.push({ batch, taken });
    });
  }

  /** No more batches after the queued ones. */
  end(): void {
    this.ended = true;
    if (this.queued.length === 0) {
      this.waiting?.({ value: undefined, done: true });
      this.waiting = undefined;
    }
  }

  /** The stream failed: drop what is queued (the caller resends it) and release its pushers. */
  abort(): void {
    this.end();
    for (const { taken } of this.queued.splice(0)) taken();
    this.waiting?.({ value: undefined, done: true });
    this.waiting = undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<IngestEvent[]> {
    return {
      next: () => {
        const next = this.queued.shift();
        if (next) {
          next.taken();
          return Promise.resolve({ value: next.batch, done: false });
        }
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiting = resolve));
      },
    };
  }
}

interface OpenStream {
  channel: BatchChannel;
  batches: WireEvent[][];
  timer: NodeJS.Timeout;
}

/**
 * Sends over IngestService.IngestStream: batches go down one client stream (gRPC flow control is
 * the backpressure), which is closed every `batchesPerStream` batches or `streamMaxMs` to read
 * its summary. A stream that fails is not resumed: its batches are resent one by one with the
 * unary Ingest and the usual retries — those stored before the failure come back as duplicates.
 */
export class GrpcStreamSender implements EventSender {
  readonly stats: SendStats = emptySendStats();
  private readonly policy: RetryPolicy;
  private readonly batchesPerStream: number;
  private readonly streamMaxMs: number;
  private readonly deadlineMs: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private current?: OpenStream;
  private readonly settling = new Set<Promise<void>>();
  private fatal?: FatalSendError;

  constructor(private readonly options: GrpcSenderOptions) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.batchesPerStream = options.batchesPerStream ?? 50;
    this.streamMaxMs = options.streamMaxMs ?? 2_000;
    this.deadlineMs = options.deadlineMs ?? 30_000;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? abortableSleep;
  }

  async send(events: WireEvent[]): Promise<void> {
    if (this.fatal) throw this.fatal;
    this.stats.sent += events.length;
    const stream = this.current ?? this.open();
    stream.batches.push(events);
    const taken = stream.channel.push(events.map(toIngestEvent));
    if (stream.batches.length >= this.batchesPerStream) this.closeStream(stream);
    await taken;
    if (this.fatal) throw this.fatal;
  }

  async close(): Promise<void> {
    if (this.current) this.closeStream(this.current);
    while (this.settling.size > 0) await Promise.all([...this.settling]);
    if (this.fatal) throw this.fatal;
  }

  private open(): OpenStream {
    const channel = new BatchChannel();
    const stream: OpenStream = {
      channel,
      batches: [],
      timer: setTimeout(() => this.closeStream(stream), this.streamMaxMs),
    };
    this.current = stream;
    this.stats.requests += 1;
    const settled = this.options.client
      .ingestStream(channel, this.deadlineMs)
      .then(
        (summary) => this.count(summary),
        (error: unknown) => this.recover(stream, error),
      )
      .finally(() => this.settling.delete(settled));
    this.settling.add(settled);
    return stream;
  }

  private closeStream(stream: OpenStream): void {
    clearTimeout(stream.timer);
    if (this.current === stream) this.current = undefined;
    stream.channel.end();
  }

  private async recover(stream: OpenStream, error: unknown): Promise<void> {
    this.closeStream(stream);
    stream.channel.abort();
    const outcome = this.classify(error);
    if (outcome === 'fatal') {
      this.stats.failed += stream.batches.reduce((sum, batch) => sum + batch.length, 0);
      return;
    }
    this.stats.retries += 1;
    const retryAfterMs = outcome === 'rejected' || outcome.done ? undefined : outcome.retryAfterMs;
    if (outcome !== 'rejected')
      await this.sleep(retryDelayMs(1, retryAfterMs, this.policy, this.random), this.options.signal);
    for (const batch of stream.batches) await this.sendUnary(batch);
  }

  /** One batch with the unary Ingest, retried: how the batches of a failed stream are resent. */
  private async sendUnary(batch: WireEvent[]): Promise<void> {
    const events = batch.map(toIngestEvent);
    const result = await retryUntilDone(
      async () => {
        this.stats.requests += 1;
        try {
          this.count(await this.options.client.ingest(events, this.deadlineMs));
          return { done: true };
        } catch (error) {
          const outcome = this.classify(error);
          if (outcome === 'fatal') throw error;
          if (outcome === 'rejected') {
            // INVALID_ARGUMENT: no event of the batch is valid (or the batch is malformed).
            countRejections(this.stats, new Array(batch.length).fill({ reason: this.stats.lastError }));
            return { done: true };
          }
          return outcome;
        }
      },
      {
        policy: this.policy,
        random: this.random,
        sleep: this.sleep,
        signal: this.options.signal,
        onRetry: () => {
          this.stats.retries += 1;
        },
      },
    ).catch((error: unknown) => ({ done: false as const, error: (error as Error).message }));
    if (!result.done) {
      this.stats.failed += batch.length;
      this.stats.lastError = result.error;
    }
  }

  private classify(error: unknown): AttemptOutcome | 'fatal' | 'rejected' {
    const serviceError = error as Partial<ServiceError>;
    const message = `gRPC ${status[serviceError.code ?? status.UNKNOWN] ?? serviceError.code}: ${serviceError.details ?? (error as Error).message}`;
    this.stats.lastError = message;
    if (serviceError.code !== undefined && FATAL.has(serviceError.code)) {
      this.fatal ??= new FatalSendError(message);
      return 'fatal';
    }
    if (serviceError.code === status.INVALID_ARGUMENT) return 'rejected';
    if (serviceError.code === undefined || RETRYABLE.has(serviceError.code)) {
      const hint = Number(serviceError.metadata?.get('retry-after-ms')[0]);
      return { done: false, error: message, retryAfterMs: Number.isFinite(hint) && hint > 0 ? hint : undefined };
    }
    this.fatal ??= new FatalSendError(message);
    return 'fatal';
  }

  private count(summary: IngestResponse): void {
    this.stats.accepted += summary.accepted;
    this.stats.duplicates += summary.duplicates;
    countRejections(this.stats, summary.rejected);
  }
}
