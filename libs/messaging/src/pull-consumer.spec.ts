import { redeliveryDelayMs } from './pull-consumer.js';

describe('redeliveryDelayMs', () => {
  it('waits 1 s after the first failure, doubling up to 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 100].map(redeliveryDelayMs)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('treats a missing or odd delivery count as the first failure', () => {
    expect(redeliveryDelayMs(0)).toBe(1_000);
    expect(redeliveryDelayMs(Number.NaN)).toBe(1_000);
  });
});
