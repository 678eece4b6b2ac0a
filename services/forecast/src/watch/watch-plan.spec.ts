import { seriesKey, watchedSeries } from './watch-plan.js';

describe('watched series of a tenant', () => {
  it('watches revenue and orders of the tenant total at 1h by default', () => {
    const series = watchedSeries(
      'shop-a',
      { granularities: ['1h'], metrics: ['revenue', 'orders'], dimensions: [] },
      [],
    );
    expect(series).toEqual([
      { tenant: 'shop-a', metric: 'revenue', dimension: 'all', granularity: '1h' },
      { tenant: 'shop-a', metric: 'orders', dimension: 'all', granularity: '1h' },
    ]);
  });

  it('adds the configured dimensions and the top products once each, without the overflow bucket', () => {
    const series = watchedSeries(
      'shop-a',
      { granularities: ['1h', '1m'], metrics: ['revenue'], dimensions: ['product:SKU-1', 'country:GB'] },
      ['product:SKU-2', 'product:SKU-1', 'product:__other__'],
    );
    expect(series.map((s) => `${s.granularity} ${s.dimension}`)).toEqual([
      '1h all',
      '1h product:SKU-1',
      '1h country:GB',
      '1h product:SKU-2',
      '1m all',
      '1m product:SKU-1',
      '1m country:GB',
      '1m product:SKU-2',
    ]);
  });

  it('keys series apart by tenant', () => {
    const [a] = watchedSeries('shop-a', { granularities: ['1h'], metrics: ['revenue'], dimensions: [] }, []);
    const [b] = watchedSeries('shop-b', { granularities: ['1h'], metrics: ['revenue'], dimensions: [] }, []);
    expect(seriesKey(a)).not.toBe(seriesKey(b));
  });
});
