import fc from 'fast-check';

import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('lets a burst through at once, then paces at the rate', () => {
    const bucket = new TokenBucket(100, 50, 0);
    expect(bucket.take(50, 0)).toBe(0);
    expect(bucket.take(10, 0)).toBe(100);
    // 100 ms later those 10 tokens have refilled and been spent: the next 10 wait another 100 ms.
    expect(bucket.take(10, 100)).toBe(100);
    expect(bucket.take(10, 1_000)).toBe(0);
  });

  it('lets a batch bigger than the burst go after the wait its size needs', () => {
    const bucket = new TokenBucket(1_000, 100, 0);
    expect(bucket.take(600, 0)).toBe(500);
  });

  it('never releases more than burst + rate × time, however the takes come', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 1_000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 300 })), { maxLength: 50 }),
        (rate, burst, takes) => {
          const bucket = new TokenBucket(rate, burst, 0);
          let now = 0;
          let released = 0;
          for (const [gap, n] of takes) {
            now += gap;
            const wait = bucket.take(n, now);
            // The caller waits before sending, so the send happens at now + wait.
            now += wait;
            released += n;
            if (released > burst + (rate * now) / 1_000 + 1e-6) return false;
          }
          return true;
        },
      ),
    );
  });

  it('refuses a zero rate', () => {
    expect(() => new TokenBucket(0, 10, 0)).toThrow(RangeError);
  });
});
