/**
 * Rate control at a configured events per second. Sending `n` events takes `n` tokens; tokens
 * refill continuously up to `burst`. A take larger than what is there goes into debt and returns
 * how long to wait, so a batch bigger than the burst still goes — just later.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    now: number,
  ) {
    if (!(ratePerSecond > 0) || !(burst > 0)) throw new RangeError('a token bucket needs a positive rate and burst');
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Takes `n` tokens at `now`; returns the milliseconds to wait before sending them (0: now). */
  take(n: number, now: number): number {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
    this.updatedAt = Math.max(this.updatedAt, now);
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.ratePerSecond;
  }
}
