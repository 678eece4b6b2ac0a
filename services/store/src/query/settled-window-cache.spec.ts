import { SettledWindowCache, type SeriesKey } from './settled-window-cache.js';

const events = (tenant: string): SeriesKey => ({ tenant, granularity: '1m', dimension: 'all', metric: 'events' });
const NOW = 1_000_000;
const LATER = NOW + 60_000;

describe('SettledWindowCache', () => {
  it('returns what was stored for the same tenant, series and window, and counts hits and misses', () => {
    const cache = new SettledWindowCache(1 << 20);
    cache.store(events('shop-a'), 0, 42, LATER);
    cache.store(events('shop-a'), 60_000, 7, LATER);

    expect(cache.lookup(events('shop-a'), [0, 60_000, 120_000], NOW)).toEqual(
      new Map([
        [0, 42],
        [60_000, 7],
      ]),
    );
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 1, windows: 2, series: 1 });
  });

  it('never answers one tenant with another tenant’s window', () => {
    const cache = new SettledWindowCache(1 << 20);
    cache.store(events('shop-a'), 0, 42, LATER);

    expect(cache.lookup(events('shop-b'), [0], NOW).size).toBe(0);
    expect(cache.lookup({ ...events('shop-a'), dimension: 'country:DE' }, [0], NOW).size).toBe(0);
    expect(cache.lookup({ ...events('shop-a'), metric: 'revenue' }, [0], NOW).size).toBe(0);
    expect(cache.lookup({ ...events('shop-a'), granularity: '1h' }, [0], NOW).size).toBe(0);
  });

  it('keeps parts of a key apart whatever characters they hold', () => {
    const cache = new SettledWindowCache(1 << 20);
    cache.store({ tenant: 'a","1m', granularity: 'all', dimension: 'x', metric: 'events' }, 0, 1, LATER);

    expect(
      cache.lookup({ tenant: 'a', granularity: '1m","all', dimension: 'x', metric: 'events' }, [0], NOW).size,
    ).toBe(0);
  });

  it('drops a window once its first row may have expired in Cassandra', () => {
    const cache = new SettledWindowCache(1 << 20);
    cache.store(events('shop-a'), 0, 42, LATER);

    expect(cache.lookup(events('shop-a'), [0], LATER - 1).get(0)).toBe(42);
    expect(cache.lookup(events('shop-a'), [0], LATER).size).toBe(0);
    expect(cache.stats()).toMatchObject({ expired: 1, windows: 0 });
  });

  it('evicts the least recently used series once over its byte budget', () => {
    // Room for about two series of ten windows each.
    const cache = new SettledWindowCache(2 * (200 + 100 + 10 * 80) + 100);
    for (const tenant of ['t1', 't2']) {
      for (let i = 0; i < 10; i += 1) cache.store(events(tenant), i * 60_000, i, LATER);
    }
    cache.lookup(events('t1'), [0], NOW); // t1 is now more recent than t2
    for (let i = 0; i < 10; i += 1) cache.store(events('t3'), i * 60_000, i, LATER);

    expect(cache.lookup(events('t2'), [0], NOW).size).toBe(0);
    expect(cache.lookup(events('t1'), [0], NOW).size).toBe(1);
    expect(cache.lookup(events('t3'), [0], NOW).size).toBe(1);
    expect(cache.stats().evictedSeries).toBe(1);
    expect(cache.stats().bytes).toBeLessThanOrEqual(2 * (200 + 100 + 10 * 80) + 100);
  });

  it('counts sketch bytes against the budget', () => {
    const cache = new SettledWindowCache(10_000);
    cache.store({ ...events('t1'), metric: 'unique_users' }, 0, new Uint8Array(4_096), LATER);
    cache.store({ ...events('t2'), metric: 'unique_users' }, 0, new Uint8Array(4_096), LATER);
    cache.store({ ...events('t3'), metric: 'unique_users' }, 0, new Uint8Array(4_096), LATER);

    expect(cache.stats().series).toBe(2);
    expect(cache.stats().bytes).toBeLessThanOrEqual(10_000);
  });

  it('holds nothing when its budget is 0 (turned off)', () => {
    const cache = new SettledWindowCache(0);
    cache.store(events('shop-a'), 0, 42, LATER);

    expect(cache.lookup(events('shop-a'), [0], NOW).size).toBe(0);
    expect(cache.stats().windows).toBe(0);
  });
});
