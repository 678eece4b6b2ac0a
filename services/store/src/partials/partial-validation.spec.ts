import { checkPartial } from './partial-validation.js';
import { windowPartial } from './window-partial.fixture.js';

const problemOf = (value: unknown) => checkPartial(value).problem;

describe('checkPartial', () => {
  it('accepts a full partial of every dimension kind', () => {
    for (const dimension of ['all', 'product:SKU-1', 'category:kitchen', 'country:GB', 'channel:web', 'product:a:b']) {
      const partial = windowPartial({ dimension, metrics: { events: 3 }, sketches: { unique_users: ['u1'] } });
      expect(checkPartial(partial)).toEqual({ partial });
    }
  });

  it('rejects what the contract schema rejects', () => {
    const { closed: _closed, ...withoutClosed } = windowPartial();
    expect(problemOf(withoutClosed)).toMatch(/not a WindowPartialV1/);
    expect(problemOf({ ...windowPartial(), extra: 1 })).toMatch(/not a WindowPartialV1/);
    expect(problemOf(windowPartial({ metrics: { events: -1 } }))).toMatch(/metrics\/events/);
    expect(problemOf(windowPartial({ version: 0 }))).toMatch(/version/);
    expect(problemOf('{}')).toMatch(/not a WindowPartialV1/);
  });

  it('rejects a partial missing a metric or a sketch the contract requires', () => {
    const partial = windowPartial();
    delete partial.metrics.remove_from_cart;
    expect(problemOf(partial)).toBe('metrics misses remove_from_cart');
    const noSketch = windowPartial();
    delete noSketch.sketches.funnel_purchased;
    expect(problemOf(noSketch)).toBe('sketches misses funnel_purchased');
  });

  it('ignores metric keys this store does not know (an aggregator one contract release ahead)', () => {
    const partial = windowPartial();
    partial.metrics.future_metric = 1;
    partial.sketches.future_sketch = 'AQ==';
    expect(problemOf(partial)).toBeUndefined();
  });

  it('rejects values a write would fail on forever', () => {
    expect(problemOf(windowPartial({ metrics: { revenue: 2 ** 60 } }))).toBe('metrics.revenue is not a safe integer');
    expect(problemOf(windowPartial({ version: 2 ** 60 }))).toBe('version is not a safe integer');
    expect(problemOf(windowPartial({ partition: 2 ** 31 }))).toMatch(/partition .* out of range/);
    expect(problemOf(windowPartial({ tenant: 'Bad Tenant' }))).toMatch(/invalid tenant/);
    const notBase64 = windowPartial();
    notBase64.sketches.unique_users = 'not base64!';
    expect(problemOf(notBase64)).toBe('sketches.unique_users is not base64');
  });

  it('rejects a window start that is not aligned to its granularity', () => {
    const hour = Date.UTC(2026, 10, 24, 10);
    expect(problemOf(windowPartial({ granularity: '1h', window_start: hour }))).toBeUndefined();
    expect(problemOf(windowPartial({ granularity: '1h', window_start: hour + 60_000 }))).toMatch(/not aligned to 1h/);
    expect(problemOf(windowPartial({ granularity: '1d', window_start: hour }))).toMatch(/not aligned to 1d/);
  });

  it('rejects unknown dimension kinds and empty dimension values', () => {
    expect(problemOf(windowPartial({ dimension: 'colour:red' }))).toMatch(/unknown dimension kind/);
    expect(problemOf(windowPartial({ dimension: 'product' }))).toMatch(/unknown dimension kind/);
    expect(problemOf(windowPartial({ dimension: 'product:' }))).toMatch(/empty dimension value/);
  });
});
