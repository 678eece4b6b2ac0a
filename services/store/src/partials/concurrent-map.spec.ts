import { mapConcurrent } from './concurrent-map.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapConcurrent', () => {
  it('returns results in input order with at most `limit` calls in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapConcurrent([30, 5, 20, 1, 10, 2, 8], 3, async (ms, index) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await tick(ms);
      inFlight -= 1;
      return index * 10;
    });
    expect(results).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(peak).toBe(3);
  });

  it('rejects with the first failure and starts no further calls', async () => {
    const started: number[] = [];
    await expect(
      mapConcurrent([1, 2, 3, 4, 5, 6], 2, async (item) => {
        started.push(item);
        await tick(item === 2 ? 1 : 20);
        if (item === 2) throw new Error('boom');
        return item;
      }),
    ).rejects.toThrow('boom');
    await tick(30);
    expect(started).toEqual([1, 2]);
  });

  it('handles no items', async () => {
    expect(await mapConcurrent([], 4, async () => 1)).toEqual([]);
  });
});
