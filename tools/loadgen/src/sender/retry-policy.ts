/**
 * Retries that a busy gateway can live with: the server's Retry-After is honoured (up to a cap),
 * otherwise exponential backoff with jitter, so a fleet of senders does not retry in lockstep.
 * The same request is repeated — same body, same event ids — so whatever was stored before the
 * failure comes back as a duplicate, never twice.
 */
export interface RetryPolicy {
  /** attempts in all, the first included */
  maxAttempts: number;
  /** backoff before the second attempt; doubles each time */
  baseDelayMs: number;
  /** no wait is longer, whatever the server asks */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 10,
  baseDelayMs: 250,
  maxDelayMs: 15_000,
});

/** Retry-After as milliseconds from `now`: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date names its weekday and month (RFC 9110); bare numbers were handled above.
  const date = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1). Backoff is "equal jitter":
 * half the exponential step plus a random half. A server's hint is a floor (plus up to 10% so
 * clients spread out), and everything is capped at maxDelayMs.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy,
  random: () => number,
): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const backoff = step / 2 + random() * (step / 2);
  const hinted = retryAfterMs === undefined ? 0 : retryAfterMs * (1 + 0.1 * random());
  return Math.round(Math.min(policy.maxDelayMs, Math.max(backoff, hinted)));
}

export type AttemptOutcome = { done: true } | { done: false; error: string; retryAfterMs?: number };

export interface RetryDeps {
  policy: RetryPolicy;
  random: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  onRetry: (error: string, delayMs: number) => void;
}

/**
 * Runs `attempt` until it is done, the attempts run out or the signal aborts. Errors thrown by
 * `attempt` (fatal ones) propagate.
 */
export async function retryUntilDone(
  attempt: (number: number) => Promise<AttemptOutcome>,
  deps: RetryDeps,
): Promise<{ done: true } | { done: false; error: string }> {
  let last = 'not attempted';
  for (let n = 1; n <= deps.policy.maxAttempts; n += 1) {
    if (deps.signal?.aborted) return { done: false, error: `aborted (${last})` };
    const outcome = await attempt(n);
    if (outcome.done) return outcome;
    last = outcome.error;
    if (n === deps.policy.maxAttempts) break;
    const delay = retryDelayMs(n, outcome.retryAfterMs, deps.policy, deps.random);
    deps.onRetry(outcome.error, delay);
    await deps.sleep(delay, deps.signal);
  }
  return { done: false, error: last };
}

/** A sleep that ends early (without throwing) when the signal aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
