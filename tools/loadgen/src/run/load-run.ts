import { abortableSleep } from '../sender/retry-policy.js';
import { FatalSendError, type EventSender } from '../sender/send-stats.js';
import { TokenBucket } from '../sender/token-bucket.js';
import { type WireEvent } from '../simulator/simulated-event.js';

/** An event and the wall time it is due to be sent, epoch ms (in the past: send now). */
export interface ScheduledEvent {
  event: WireEvent;
  dueAt: number;
}

export interface LoadRunOptions {
  /** events per request (the gateway takes at most 1,000) */
  batchSize: number;
  /** requests in flight at once */
  concurrency: number;
  /** a batch waits at most this long for more events before it is sent */
  lingerMs: number;
  /** events per second, at most (a token bucket); undefined: as the schedule says */
  maxRate?: number;
  /** stops taking events (the first Ctrl-C); what was taken is still sent */
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface LoadRunResult {
  /** events taken from the source and handed to the sender */
  taken: number;
  batches: number;
  /** the run ended because sending cannot work */
  fatal?: FatalSendError;
  /** the signal stopped the run before the source ran out */
  interrupted: boolean;
}

/**
 * The pump between an event source and a sender: waits until each event is due, gathers events
 * into batches (full, or lingered long enough), holds the rate under the token bucket, and keeps
 * up to `concurrency` batches in flight. When the sender falls behind, events become overdue and
 * go out in full batches: the run catches up instead of dropping anything.
 */
export class LoadRun {
  taken = 0;
  batches = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stop = new AbortController();
  private fatal?: FatalSendError;

  constructor(
    private readonly source: AsyncIterable<ScheduledEvent> | Iterable<ScheduledEvent>,
    private readonly sender: EventSender,
    private readonly options: LoadRunOptions,
  ) {
    if (!(options.batchSize >= 1 && options.concurrency >= 1))
      throw new RangeError('batch size and concurrency must be ≥ 1');
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? abortableSleep;
    options.signal?.addEventListener('abort', () => this.stop.abort(), { once: true });
    if (options.signal?.aborted) this.stop.abort();
  }

  async run(): Promise<LoadRunResult> {
    const bucket =
      this.options.maxRate === undefined
        ? undefined
        : new TokenBucket(
            this.options.maxRate,
            Math.max(this.options.batchSize, this.options.maxRate / 10),
            this.now(),
          );
    let batch: WireEvent[] = [];
    let openedAt = 0;
    const dispatch = async () => {
      if (batch.length === 0) return;
      const events = batch;
      batch = [];
      const wait = bucket?.take(events.length, this.now()) ?? 0;
      if (wait > 0) await this.sleep(wait);
      while (this.inFlight.size >= this.options.concurrency) await Promise.race(this.inFlight);
      if (this.fatal) return;
      this.batches += 1;
      const sending: Promise<void> = this.sender
        .send(events)
        .catch((error: unknown) => {
          if (!(error instanceof FatalSendError)) throw error;
          this.fatal ??= error;
          this.stop.abort();
        })
        .finally(() => this.inFlight.delete(sending));
      this.inFlight.add(sending);
    };

    let exhausted = true;
    for await (const { event, dueAt } of this.source) {
      if (this.stop.signal.aborted) {
        exhausted = false;
        break;
      }
      const wait = dueAt - this.now();
      if (wait > 0) {
        if (batch.length > 0 && this.now() + wait - openedAt >= this.options.lingerMs) await dispatch();
        await this.sleep(wait, this.stop.signal);
        if (this.stop.signal.aborted) {
          exhausted = false;
          break;
        }
      }
      if (batch.length === 0) openedAt = this.now();
      batch.push(event);
      this.taken += 1;
      if (batch.length >= this.options.batchSize) await dispatch();
    }
    if (!this.fatal) await dispatch();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    try {
      await this.sender.close();
    } catch (error) {
      if (!(error instanceof FatalSendError)) throw error;
      this.fatal ??= error;
    }
    return { taken: this.taken, batches: this.batches, fatal: this.fatal, interrupted: !exhausted && !this.fatal };
  }
}
