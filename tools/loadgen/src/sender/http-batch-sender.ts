import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

import { type WireEvent } from '../simulator/simulated-event.js';
import {
  abortableSleep,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  retryUntilDone,
  type AttemptOutcome,
  type RetryPolicy,
} from './retry-policy.js';
import { countRejections, emptySendStats, FatalSendError, type EventSender, type SendStats } from './send-stats.js';

const gzip = promisify(gzipCallback);

export interface HttpSenderOptions {
  /** the gateway's POST /v1/events URL */
  url: string;
  apiKey: string;
  /** Content-Encoding: gzip */
  gzip?: boolean;
  /** per request */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** jitter source */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** aborts requests and retry waits (a second Ctrl-C): what is in flight then counts as failed */
  signal?: AbortSignal;
  /**
   * At most once per this many ms, the next purchase is sent alone with a sampled W3C
   * `traceparent`, so its whole path through Pulse is one trace even when the services sample
   * little (parent-based samplers follow the caller's decision). Unset: no trace context is sent.
   */
  traceEveryMs?: number;
  /** called with each traced purchase (after its request was answered) */
  onTraced?: (traced: TracedEvent) => void;
  now?: () => number;
}

/** A purchase sent with its own trace context (HttpSenderOptions.traceEveryMs). */
export interface TracedEvent {
  traceId: string;
  eventId: string;
  type: string;
  /** when it was sent (epoch ms) */
  sentAt: number;
}

/** A new sampled W3C trace context: version 00, random trace and parent ids, flags 01. */
export function newTraceparent(random: (size: number) => Buffer = randomBytes): {
  traceparent: string;
  traceId: string;
} {
  const traceId = random(16).toString('hex');
  return { traceparent: `00-${traceId}-${random(8).toString('hex')}-01`, traceId };
}

interface IngestAnswer {
  accepted?: number;
  duplicates?: number;
  rejected?: Array<{ index?: number; reason?: string }>;
  title?: string;
  detail?: string;
}

/** Statuses that mean "not now": retried after Retry-After or backoff. */
const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);
/** Statuses that no retry or other batch can fix. */
const FATAL = new Set([401, 403, 404, 405, 415]);

/**
 * POST /v1/events with `{"events": [...]}` batches (docs/api.md). Each batch is serialized (and
 * compressed) once, so every retry repeats the same bytes and the same event ids. A 413 splits the
 * batch in halves.
 */
export class HttpBatchSender implements EventSender {
  readonly stats: SendStats = emptySendStats();
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly options: HttpSenderOptions) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? abortableSleep;
  }

  async send(events: WireEvent[]): Promise<void> {
    this.stats.sent += events.length;
    const traced = this.pickTraced(events);
    if (!traced) {
      await this.deliver(events);
      return;
    }
    const { traceparent, traceId } = newTraceparent();
    const sentAt = this.now();
    await Promise.all([
      this.deliver([traced], { traceparent }).then(() =>
        this.options.onTraced?.({ traceId, eventId: traced.event_id, type: 'purchase', sentAt }),
      ),
      events.length > 1 ? this.deliver(events.filter((event) => event !== traced)) : undefined,
    ]);
  }

  private lastTracedAt = Number.NEGATIVE_INFINITY;

  /** The purchase of this batch to trace, when one is due. */
  private pickTraced(events: WireEvent[]): WireEvent | undefined {
    const every = this.options.traceEveryMs;
    if (every === undefined || this.now() - this.lastTracedAt < every) return undefined;
    const purchase = events.find((event) => event.type === 'purchase');
    if (purchase) this.lastTracedAt = this.now();
    return purchase;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async close(): Promise<void> {
    // Nothing is held between sends: each send resolves when its batch is answered.
  }

  private async deliver(events: WireEvent[], extraHeaders: Record<string, string> = {}): Promise<void> {
    const json = Buffer.from(JSON.stringify({ events }));
    const body = this.options.gzip ? await gzip(json) : json;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-api-key': this.options.apiKey,
      ...extraHeaders,
    };
    if (this.options.gzip) headers['content-encoding'] = 'gzip';
    let tooLarge = false;
    const result = await retryUntilDone(
      async (): Promise<AttemptOutcome> => {
        const outcome = await this.attempt(body, headers, events.length);
        if (outcome === 'too_large') {
          tooLarge = true;
          return { done: true };
        }
        return outcome;
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
    );
    if (tooLarge) {
      if (events.length === 1) {
        this.fail(1, `HTTP 413: event ${events[0].event_id} alone is over the gateway's body limit`);
        return;
      }
      const half = Math.ceil(events.length / 2);
      await this.deliver(events.slice(0, half));
      await this.deliver(events.slice(half));
      return;
    }
    if (!result.done) this.fail(events.length, result.error);
  }

  private async attempt(
    body: Buffer,
    headers: Record<string, string>,
    count: number,
  ): Promise<AttemptOutcome | 'too_large'> {
    this.stats.requests += 1;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = this.options.signal ? AbortSignal.any([timeout, this.options.signal]) : timeout;
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.options.url, { method: 'POST', headers, body, signal });
      text = await response.text();
    } catch (error) {
      const message = describeFetchError(error, this.options.url, this.timeoutMs);
      this.stats.lastError = message;
      return { done: false, error: message };
    }
    const answer = parseAnswer(text);
    if (response.status === 200 || response.status === 202) {
      this.stats.accepted += answer.accepted ?? 0;
      this.stats.duplicates += answer.duplicates ?? 0;
      countRejections(this.stats, answer.rejected ?? []);
      return { done: true };
    }
    const problem = `HTTP ${response.status}${answer.title ? ` ${answer.title}` : ''}${answer.detail ? `: ${answer.detail}` : ''}`;
    this.stats.lastError = problem;
    if (response.status === 422) {
      // No event of the batch was valid: all of them are rejections, not failures.
      countRejections(this.stats, answer.rejected?.length ? answer.rejected : new Array(count).fill({}));
      return { done: true };
    }
    if (response.status === 413) return 'too_large';
    if (RETRYABLE.has(response.status)) {
      return {
        done: false,
        error: problem,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()),
      };
    }
    if (FATAL.has(response.status)) throw new FatalSendError(`${this.options.url} answered ${problem}`);
    this.fail(count, problem);
    return { done: true };
  }

  private fail(count: number, error: string): void {
    this.stats.failed += count;
    this.stats.lastError = error;
  }
}

function parseAnswer(text: string): IngestAnswer {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as IngestAnswer) : {};
  } catch {
    return {};
  }
}

/** A network failure in words a user can act on (fetch itself only says "fetch failed"). */
export function describeFetchError(error: unknown, url: string, timeoutMs: number): string {
  // Duck-typed, not instanceof: fetch's errors come from Node's own realm.
  const failure = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (failure.name === 'TimeoutError') return `no answer from ${url} within ${timeoutMs} ms`;
  if (failure.name === 'AbortError') return 'aborted';
  const cause = failure.cause;
  if (cause?.code === 'ECONNREFUSED') return `cannot connect to ${url}: connection refused (is the gateway running?)`;
  if (cause?.code === 'ENOTFOUND') return `cannot connect to ${url}: unknown host`;
  if (cause?.message) return `cannot reach ${url}: ${cause.message}`;
  return `cannot reach ${url}: ${failure.message ?? String(error)}`;
}

/**
 * One empty request before a run: a 400 (empty batch) proves the gateway is there and the key
 * works, without storing anything. Returns an error message, or undefined when all is well.
 */
export async function probeHttpTarget(url: string, apiKey: string, timeoutMs = 5_000): Promise<string | undefined> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: '{"events":[]}',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const answer = parseAnswer(await response.text());
    if (response.status === 401 || response.status === 403) {
      return `${url} refused the API key (HTTP ${response.status}${answer.detail ? `: ${answer.detail}` : ''})`;
    }
    if (response.status === 404 || response.status === 405) {
      return `${url} has no ingest endpoint (HTTP ${response.status}); the target is the gateway's base URL or its /v1/events`;
    }
    return undefined;
  } catch (error) {
    return describeFetchError(error, url, timeoutMs);
  }
}
