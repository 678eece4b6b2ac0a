import {
  assembleSnapshot,
  chartRange,
  snapshotChanged,
  type AlertView,
  type DashboardReads,
} from './dashboard-snapshot.js';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 10, 27, 10, 30, 20); // 10:30:20 → the chart covers 10:26–10:31 (5 minutes)
const at = (hh: number, mm: number) => Date.UTC(2026, 10, 27, hh, mm);

/** values in SERIES_METRICS order: revenue, orders, events, unique_users, unique_sessions, funnel_purchased */
function reads(overrides: Partial<DashboardReads> = {}): DashboardReads {
  return {
    tenant: 'demo',
    series: {
      points: [
        { windowStart: at(10, 27), values: [1250, 1, 9, 3, 4, 1], closed: true },
        { windowStart: at(10, 30), values: [5000, 2, 20, 6, 8, 2], closed: false },
        // Outside the chart (the store answers windows overlapping the range): ignored.
        { windowStart: at(10, 25), values: [999, 9, 9, 9, 9, 9], closed: true },
      ],
    },
    distinct: { uniqueUsers: 7, uniqueSessions: 10 },
    funnel: [
      { stage: 'viewed', sessions: 9, conversionFromPrevious: 1, conversionFromFirst: 1 },
      { stage: 'added', sessions: 5, conversionFromPrevious: 5 / 9, conversionFromFirst: 5 / 9 },
      { stage: 'checked_out', sessions: 3, conversionFromPrevious: 0.6, conversionFromFirst: 3 / 9 },
      { stage: 'purchased', sessions: 3, conversionFromPrevious: 1, conversionFromFirst: 3 / 9 },
    ],
    topProducts: [{ dimension: 'product:SKU-1', value: 6250, overflow: false }],
    topCategories: [{ dimension: 'category:kitchen', value: 6250, overflow: false }],
    countries: [{ dimension: 'country:GB', values: [29, 3, 6250], overflow: false }],
    forecasts: {},
    alerts: [],
    alertsMode: 'live',
    pipeline: { lag: [], dlq: 2, late: 1 },
    ...overrides,
  };
}

function alert(id: string, metric: string, windowStart: number, dimension = 'all'): AlertView {
  return {
    id,
    metric,
    dimension,
    granularity: '1m',
    windowStart,
    windowEnd: windowStart + MINUTE,
    severity: 'critical',
    direction: 'spike',
    actual: 10,
    expectedMean: 1,
    expectedLower: 0,
    expectedUpper: 2,
    raisedAt: windowStart + 2 * MINUTE,
  };
}

describe('dashboard snapshot', () => {
  it('charts the last N whole minutes up to and including the current one', () => {
    expect(chartRange(NOW, 5)).toEqual({ from: at(10, 26), to: at(10, 31) });
  });

  it('puts each window in its minute and shows minutes without data as 0', () => {
    const { chart } = assembleSnapshot(reads(), NOW, 5);
    expect(chart?.times).toEqual([at(10, 26), at(10, 27), at(10, 28), at(10, 29), at(10, 30)]);
    expect(chart?.revenue).toEqual([0, 1250, 0, 0, 5000]);
    expect(chart?.orders).toEqual([0, 1, 0, 0, 2]);
    expect(chart?.uniqueShoppers).toEqual([0, 3, 0, 0, 6]);
    expect(chart?.conversion).toEqual([0, 1 / 4, 0, 0, 2 / 8]);
  });

  it('sums revenue, orders and events over the range; shoppers and conversion come from distinct counts', () => {
    expect(assembleSnapshot(reads(), NOW, 5).kpis).toEqual({
      revenue: 6250,
      orders: 3,
      events: 29,
      uniqueShoppers: 7,
      conversion: 3 / 10,
    });
  });

  it('extends the chart by the forecast windows and lays the 80% and 95% bands on them', () => {
    const forecast = {
      model: 'linear',
      points: [at(10, 30), at(10, 31)].map((windowStart, i) => ({
        windowStart,
        mean: 100 + i,
        intervals: [
          { level: 0.8, lower: 90, upper: 110 },
          { level: 0.95, lower: 80, upper: 120 + i },
        ],
      })),
    };
    const { chart } = assembleSnapshot(reads({ forecasts: { revenue: forecast } }), NOW, 5);
    expect(chart?.times.at(-1)).toBe(at(10, 31));
    // Actuals stop at the current minute; the forecast starts at its first window.
    expect(chart?.revenue).toEqual([0, 1250, 0, 0, 5000, null]);
    expect(chart?.forecast.revenue).toEqual({
      model: 'linear',
      mean: [null, null, null, null, 100, 101],
      lower80: [null, null, null, null, 90, 90],
      upper80: [null, null, null, null, 110, 110],
      lower95: [null, null, null, null, 80, 80],
      upper95: [null, null, null, null, 120, 121],
    });
    expect(chart?.forecast.orders).toBeUndefined();
  });

  it('marks the tenant-wide alerts of a charted metric that fall in the chart', () => {
    const alerts = [
      alert('in', 'revenue', at(10, 28)),
      alert('orders', 'orders', at(10, 29)),
      alert('product', 'revenue', at(10, 28), 'product:SKU-1'),
      alert('before', 'revenue', at(9, 0)),
    ];
    const { chart, alerts: listed } = assembleSnapshot(reads({ alerts }), NOW, 5);
    expect(chart?.markers).toEqual({
      revenue: [{ id: 'in', time: at(10, 28), severity: 'critical', direction: 'spike' }],
      orders: [{ id: 'orders', time: at(10, 29), severity: 'critical', direction: 'spike' }],
    });
    // Every alert is listed, whatever the chart shows.
    expect(listed.map((a) => a.id)).toEqual(['in', 'orders', 'product', 'before']);
  });

  it('shows what it could read and names each section it could not', () => {
    const snapshot = assembleSnapshot(
      reads({
        funnel: new Error('deadline exceeded'),
        forecasts: { revenue: new Error('seasonal_naive needs at least 120 points of 1m history, got 4') },
        pipeline: new Error('NATS is not reachable'),
      }),
      NOW,
      5,
    );
    expect(snapshot.funnel).toBeNull();
    expect(snapshot.pipeline).toBeNull();
    expect(snapshot.kpis?.revenue).toBe(6250);
    expect(snapshot.countries).toEqual([{ country: 'GB', events: 29, orders: 3, revenue: 6250, overflow: false }]);
    expect(snapshot.problems).toEqual({
      funnel: 'deadline exceeded',
      'forecast.revenue': 'seasonal_naive needs at least 120 points of 1m history, got 4',
      pipeline: 'NATS is not reachable',
    });
  });

  it('has no charts or numbers without the series, and says why', () => {
    const snapshot = assembleSnapshot(reads({ series: new Error('store unavailable') }), NOW, 5);
    expect(snapshot.chart).toBeNull();
    expect(snapshot.kpis).toBeNull();
    expect(snapshot.problems.series).toBe('store unavailable');
  });

  it('counts as changed only when something shown changed, not the time it was assembled', () => {
    const first = assembleSnapshot(reads(), NOW, 5);
    expect(snapshotChanged(undefined, first)).toBe(true);
    expect(snapshotChanged(first, assembleSnapshot(reads(), NOW + 500, 5))).toBe(false);
    expect(snapshotChanged(first, assembleSnapshot(reads({ pipeline: { lag: [], dlq: 3, late: 1 } }), NOW, 5))).toBe(
      true,
    );
  });
});
