import { METRICS } from '@pulse/contracts';

import { QueryArgumentError } from './query-error.js';
import {
  checkDimension,
  planBreakdown,
  planDistinct,
  planFunnel,
  planSeries,
  planTop,
  type SeriesInput,
} from './query-requests.js';

const limits = { maxPoints: 1_000, maxWindows: 2_000 };
const at = (iso: string) => Date.parse(iso);
const DAY = 86_400_000;
const from = at('2026-11-24T00:00:00Z');

function rejection(run: () => unknown): { field: string; reason: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof QueryArgumentError) return { field: error.field, reason: error.reason };
    throw error;
  }
  throw new Error('expected a QueryArgumentError');
}

const series = (overrides: Partial<SeriesInput> = {}): SeriesInput => ({
  metric: 'events',
  metrics: [],
  dimension: '',
  granularity: '1h',
  from,
  to: from + DAY,
  gapFill: 'absent',
  timeZone: '',
  ...overrides,
});

describe('planSeries', () => {
  it('plans the windows of the range, one metric, dimension all by default', () => {
    const plan = planSeries(series(), limits);
    expect(plan).toMatchObject({ dimension: 'all', metrics: ['events'], granularity: '1h', timeZone: 'UTC' });
    expect(plan.windows).toHaveLength(24);
    expect(plan.read).toEqual({ granularity: '1h', from, to: from + DAY });
  });

  it('takes several metrics in order, refusing repeats, unknown names and metric + metrics', () => {
    expect(planSeries(series({ metric: '', metrics: ['revenue', 'unique_users'] }), limits).metrics).toEqual([
      'revenue',
      'unique_users',
    ]);
    expect(rejection(() => planSeries(series({ metrics: ['revenue'] }), limits)).field).toBe('metrics');
    expect(rejection(() => planSeries(series({ metric: '', metrics: ['revenue', 'revenue'] }), limits))).toEqual({
      field: 'metrics[1]',
      reason: 'repeats "revenue"',
    });
    const unknown = rejection(() => planSeries(series({ metric: '', metrics: ['events', 'bogus'] }), limits));
    expect(unknown.field).toBe('metrics[1]');
    expect(unknown.reason).toContain('unknown metric "bogus"');
    expect(unknown.reason).toContain('funnel_purchased');
    expect(rejection(() => planSeries(series({ metric: 'bogus' }), limits)).field).toBe('metric');
    expect(rejection(() => planSeries(series({ metric: '' }), limits)).reason).toMatch(/^is required/);
  });

  it('refuses a dimension that is not all or <kind>:<value>', () => {
    for (const dimension of ['product', 'product:', 'colour:red', ':x']) {
      expect(rejection(() => planSeries(series({ dimension }), limits)).field).toBe('dimension');
    }
    expect(checkDimension('product:SKU:1')).toBe('product:SKU:1');
  });

  it('needs a window size: unspecified and unknown granularities are refused', () => {
    expect(rejection(() => planSeries(series({ granularity: 'auto' }), limits)).reason).toMatch(/^is required/);
    expect(rejection(() => planSeries(series({ granularity: undefined }), limits)).reason).toMatch(/^unknown value/);
  });

  it('refuses an unknown gap fill', () => {
    expect(rejection(() => planSeries(series({ gapFill: undefined }), limits)).field).toBe('gap_fill');
  });

  it('refuses more points than a response may carry, counting windows × metrics', () => {
    const tooMany = rejection(() =>
      planSeries(series({ metric: '', metrics: ['events', 'revenue'], granularity: '1m', to: from + DAY }), limits),
    );
    expect(tooMany.field).toBe('to');
    expect(tooMany.reason).toContain('1,440 windows × 2 metric(s) = 2,880 points, more than the 1,000');
    expect(planSeries(series({ granularity: '1m', to: from + 1_000 * 60_000 }), limits).windows).toHaveLength(1_000);
  });

  it('plans local days from the hour windows they span, only for day windows', () => {
    const plan = planSeries(series({ granularity: '1d', timeZone: 'Europe/Berlin', to: from + 2 * DAY }), limits);
    expect(plan.localDays).toBe(true);
    expect(plan.timeZone).toBe('Europe/Berlin');
    expect(plan.windows).toEqual([
      { start: at('2026-11-23T23:00:00Z'), end: at('2026-11-24T23:00:00Z') },
      { start: at('2026-11-24T23:00:00Z'), end: at('2026-11-25T23:00:00Z') },
      { start: at('2026-11-25T23:00:00Z'), end: at('2026-11-26T23:00:00Z') },
    ]);
    expect(plan.read).toEqual({ granularity: '1h', from: at('2026-11-23T23:00:00Z'), to: at('2026-11-26T23:00:00Z') });
    expect(rejection(() => planSeries(series({ timeZone: 'Europe/Berlin' }), limits)).field).toBe('time_zone');
    expect(rejection(() => planSeries(series({ granularity: '1d', timeZone: 'Asia/Kolkata' }), limits)).field).toBe(
      'time_zone',
    );
    expect(planSeries(series({ granularity: '1d', timeZone: 'Etc/UTC' }), limits).localDays).toBe(false);
  });

  it('bounds local days by the hour windows they read', () => {
    const error = rejection(() =>
      planSeries(series({ granularity: '1d', timeZone: 'Europe/Berlin', to: from + 100 * DAY }), limits),
    );
    expect(error.field).toBe('to');
    expect(error.reason).toContain('hour windows');
  });
});

describe('planTop', () => {
  const top = { kind: 'product', metric: 'revenue', granularity: 'auto' as const, from, to: from + DAY, pageToken: '' };

  it('defaults k to 10 and accepts 1..100', () => {
    expect(planTop({ ...top, k: 0 }, limits).k).toBe(10);
    expect(planTop({ ...top, k: 100 }, limits).k).toBe(100);
  });

  it('refuses k out of range on k', () => {
    expect(rejection(() => planTop({ ...top, k: 101 }, limits))).toEqual({
      field: 'k',
      reason: 'must be 1 to 100 (0 means 10), got 101',
    });
  });

  it('refuses an unknown kind or metric', () => {
    expect(rejection(() => planTop({ ...top, k: 5, kind: 'colour' }, limits)).reason).toContain(
      'unknown dimension kind "colour": one of product, category, country, channel',
    );
    expect(rejection(() => planTop({ ...top, k: 5, kind: '' }, limits)).field).toBe('kind');
    expect(rejection(() => planTop({ ...top, k: 5, metric: 'bogus' }, limits)).field).toBe('metric');
  });

  it('covers the range automatically and reports the span read', () => {
    const plan = planTop({ ...top, k: 5, from: from + 90 * 60_000, to: from + DAY }, limits);
    expect(plan.runs.map((run) => run.granularity)).toEqual(['1m', '1h']);
    expect(plan.span).toEqual({ from: from + 90 * 60_000, to: from + DAY });
  });

  it('refuses ranges that read more windows than allowed', () => {
    const error = rejection(() => planTop({ ...top, k: 5, granularity: '1m', to: from + 3 * DAY }, limits));
    expect(error.field).toBe('to');
    expect(error.reason).toContain('4,320 windows, more than the 2,000');
  });
});

describe('planBreakdown', () => {
  const breakdown = { kind: 'country', granularity: '1d' as const, from, to: from + DAY, pageSize: 0, pageToken: '' };

  it('defaults to every metric and 100 rows', () => {
    const plan = planBreakdown({ ...breakdown, metrics: [] }, { ...limits, maxPoints: 10_000 });
    expect(plan.metrics).toEqual(METRICS);
    expect(plan.pageSize).toBe(100);
  });

  it('refuses pages whose rows × metrics exceed the points limit, and sizes beyond 1,000', () => {
    expect(rejection(() => planBreakdown({ ...breakdown, metrics: [] }, limits)).field).toBe('page_size');
    expect(rejection(() => planBreakdown({ ...breakdown, metrics: ['events'], pageSize: 1_001 }, limits)).field).toBe(
      'page_size',
    );
  });
});

describe('planFunnel and planDistinct', () => {
  const range = { granularity: 'auto' as const, from, to: from + DAY };

  it('plans one funnel of a dimension, or one per dimension of a kind', () => {
    expect(planFunnel({ ...range, dimension: '', kind: '', pageSize: 0, pageToken: '' }, limits)).toMatchObject({
      dimension: 'all',
      kind: undefined,
    });
    expect(planFunnel({ ...range, dimension: '', kind: 'product', pageSize: 0, pageToken: '' }, limits)).toMatchObject({
      kind: 'product',
      pageSize: 10,
    });
    expect(
      rejection(() => planFunnel({ ...range, dimension: '', kind: 'colour', pageSize: 0, pageToken: '' }, limits))
        .field,
    ).toBe('kind');
  });

  it('counts users and sessions by default and refuses sums', () => {
    expect(planDistinct({ ...range, dimension: '', metrics: [] }, limits).metrics).toEqual([
      'unique_users',
      'unique_sessions',
    ]);
    expect(rejection(() => planDistinct({ ...range, dimension: '', metrics: ['revenue'] }, limits))).toMatchObject({
      field: 'metrics[0]',
    });
  });
});
