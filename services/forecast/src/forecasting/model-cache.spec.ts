import { type FittedModel } from '@pulse/forecasting';

import { ModelCache, planRefresh, type CachedModel, type RefitPolicy } from './model-cache.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 2);
const POLICY: RefitPolicy = { refitIntervalMs: 24 * HOUR, refitAfterWindows: 24 };

function cached(origin: number, fittedAt: number, windowsSinceFit = 0): CachedModel {
  return { fitted: { origin, stepMs: HOUR } as FittedModel, fittedAt, windowsSinceFit, historyStart: T0 - 1000 * HOUR };
}

describe('cached model refresh plan', () => {
  it('fits a model the cache does not have', () => {
    expect(planRefresh(undefined, T0, T0, POLICY)).toEqual({ kind: 'refit' });
  });

  it('uses the model as it is while no window closed since it was last brought up to date', () => {
    expect(planRefresh(cached(T0, T0), T0, T0 + 5 * HOUR, POLICY)).toEqual({ kind: 'current' });
  });

  it('updates the model with the windows that closed since (no refit)', () => {
    expect(planRefresh(cached(T0, T0, 2), T0 + 3 * HOUR, T0 + 3 * HOUR, POLICY)).toEqual({
      kind: 'update',
      from: T0,
      windows: 3,
    });
  });

  it('refits once enough windows closed since the fit', () => {
    expect(planRefresh(cached(T0, T0, 20), T0 + 3 * HOUR, T0 + 3 * HOUR, POLICY).kind).toBe('update');
    expect(planRefresh(cached(T0, T0, 21), T0 + 3 * HOUR, T0 + 3 * HOUR, POLICY).kind).toBe('refit');
  });

  it('refits on schedule: a fit older than the refit interval', () => {
    expect(planRefresh(cached(T0, T0), T0, T0 + 24 * HOUR - 1, POLICY).kind).toBe('current');
    expect(planRefresh(cached(T0, T0), T0, T0 + 24 * HOUR, POLICY).kind).toBe('refit');
  });

  it('refits when the clock went back before the model origin', () => {
    expect(planRefresh(cached(T0, T0), T0 - HOUR, T0, POLICY).kind).toBe('refit');
  });
});

describe('model cache', () => {
  it('shares one refresh among concurrent callers of a key', async () => {
    const cache = new ModelCache<number>(10);
    let runs = 0;
    let release: (value: number) => void = () => undefined;
    const refresh = () => {
      runs += 1;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const first = cache.refresh('a', refresh);
    const second = cache.refresh('a', refresh);
    release(42);
    await expect(Promise.all([first, second])).resolves.toEqual([42, 42]);
    expect(runs).toBe(1);
  });

  it('hands the current entry to the next refresh and keeps the result', async () => {
    const cache = new ModelCache<number>(10);
    await cache.refresh('a', async () => 1);
    await expect(cache.refresh('a', async (current) => (current ?? 0) + 1)).resolves.toBe(2);
    expect(cache.peek('a')).toBe(2);
  });

  it('keeps the entry it had when a refresh fails, and runs the next refresh anew', async () => {
    const cache = new ModelCache<number>(10);
    await cache.refresh('a', async () => 1);
    await expect(cache.refresh('a', async () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
    expect(cache.peek('a')).toBe(1);
    await expect(cache.refresh('a', async (current) => (current ?? 0) + 10)).resolves.toBe(11);
  });

  it('drops the least recently refreshed entry beyond its size', async () => {
    const cache = new ModelCache<string>(2);
    await cache.refresh('a', async () => 'a');
    await cache.refresh('b', async () => 'b');
    await cache.refresh('a', async (current) => current ?? 'a'); // a is now the most recent
    await cache.refresh('c', async () => 'c');
    expect([cache.peek('a'), cache.peek('b'), cache.peek('c')]).toEqual(['a', undefined, 'c']);
    expect(cache.size).toBe(2);
  });
});
