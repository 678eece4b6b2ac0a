import fc from 'fast-check';

import {
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  retryDelayMs,
  retryUntilDone,
  type AttemptOutcome,
} from './retry-policy.js';

const NOW = Date.UTC(2026, 10, 24, 10);
const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 10_000 };

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('2', NOW)).toBe(2_000);
    expect(parseRetryAfter(' 0.5 ', NOW)).toBe(500);
    expect(parseRetryAfter(new Date(NOW + 7_000).toUTCString(), NOW)).toBe(7_000);
    expect(parseRetryAfter(new Date(NOW - 7_000).toUTCString(), NOW)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter('', NOW)).toBeUndefined();
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter('-1', NOW)).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  it('backs off exponentially with jitter between half and the whole step', () => {
    expect(retryDelayMs(1, undefined, policy, () => 0)).toBe(50);
    expect(retryDelayMs(1, undefined, policy, () => 0.999)).toBe(100);
    expect(retryDelayMs(4, undefined, policy, () => 0)).toBe(400);
    expect(retryDelayMs(30, undefined, policy, () => 0.999)).toBe(9_995);
  });

  it('never retries before Retry-After, and spreads clients out by up to 10% after it', () => {
    expect(retryDelayMs(1, 1_000, policy, () => 0)).toBe(1_000);
    expect(retryDelayMs(1, 1_000, policy, () => 0.999)).toBe(1_100);
  });

  it('stays between the server hint (capped) and the cap, for any attempt, hint and jitter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: undefined }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempt, hint, jitter) => {
          const delay = retryDelayMs(attempt, hint, policy, () => jitter);
          return delay <= policy.maxDelayMs && delay >= Math.min(hint ?? 0, policy.maxDelayMs) && delay >= 0;
        },
      ),
    );
  });
});

describe('retryUntilDone', () => {
  it('retries until done, waiting as the outcomes ask', async () => {
    const waits: number[] = [];
    const outcomes: AttemptOutcome[] = [
      { done: false, error: 'HTTP 429', retryAfterMs: 2_000 },
      { done: false, error: 'HTTP 503' },
      { done: true },
    ];
    const retried: string[] = [];
    const result = await retryUntilDone(async (n) => outcomes[n - 1], {
      policy,
      random: () => 0,
      sleep: async (ms) => {
        waits.push(ms);
      },
      onRetry: (error) => retried.push(error),
    });
    expect(result).toEqual({ done: true });
    expect(waits).toEqual([2_000, 100]);
    expect(retried).toEqual(['HTTP 429', 'HTTP 503']);
  });

  it('gives up after maxAttempts with the last error', async () => {
    let attempts = 0;
    const result = await retryUntilDone(
      async () => {
        attempts += 1;
        return { done: false, error: `refused ${attempts}` };
      },
      { policy, random: () => 0, sleep: async () => undefined, onRetry: () => undefined },
    );
    expect(attempts).toBe(policy.maxAttempts);
    expect(result).toEqual({ done: false, error: 'refused 5' });
  });

  it('stops retrying when aborted', async () => {
    const abort = new AbortController();
    let attempts = 0;
    const result = await retryUntilDone(
      async () => {
        attempts += 1;
        abort.abort();
        return { done: false, error: 'HTTP 503' };
      },
      {
        policy: DEFAULT_RETRY_POLICY,
        random: () => 0,
        sleep: async () => undefined,
        signal: abort.signal,
        onRetry: () => undefined,
      },
    );
    expect(attempts).toBe(1);
    expect(result.done).toBe(false);
  });
});
