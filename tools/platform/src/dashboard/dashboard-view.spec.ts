import { type TrafficState } from '../traffic/demo-traffic.js';
import { type DashboardModel, type MinutePoint } from './dashboard-model.js';
import { alertLine, renderDashboard, renderStatusLine, tracedPurchaseLink } from './dashboard-view.js';
import { visibleLength } from './terminal-text.js';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 10, 27, 19, 30, 20);
const CURRENT = Math.floor(NOW / MINUTE) * MINUTE;

const counts = (sent: number) => ({
  elapsedMs: 0,
  sent,
  accepted: sent - 10,
  duplicates: 5,
  rejected: 3,
  retries: 0,
  failed: 0,
});

function liveTraffic(): TrafficState {
  return {
    stage: 'live',
    current: counts(1_000),
    total: counts(120_000),
    historySeconds: 10_800,
    liveSince: NOW - 30_000,
  };
}

function minutes(): MinutePoint[] {
  // 15 minutes up to the current one; 19:29 (the last full minute) sold €1,234.56 in 31 orders
  return Array.from({ length: 15 }, (_, i) => {
    const windowStart = CURRENT - (14 - i) * MINUTE;
    const last = windowStart === CURRENT - MINUTE;
    return { windowStart, revenue: last ? 123_456 : 100_000 + i * 1_000, orders: last ? 31 : 25 };
  });
}

function fullModel(): DashboardModel {
  const at = NOW - 500;
  return {
    now: NOW,
    startedAt: NOW - 100_000,
    tenant: 'demo',
    currency: { code: 'EUR', exponent: 2 },
    progress: [],
    traffic: liveTraffic(),
    minutes: { data: minutes(), updatedAt: at },
    topProducts: {
      data: [
        { product: 'product:SKU-00231', revenue: 5_432_100 },
        { product: 'product:SKU-00007', revenue: 2_100_000 },
        { product: 'product:SKU-00419', revenue: 1_000_000 },
        { product: 'product:SKU-00012', revenue: 900_000 },
        { product: 'product:SKU-00100', revenue: 10_099 },
      ],
      updatedAt: at,
    },
    funnel: {
      data: [
        { stage: 'viewed', sessions: 10_000, fromPrevious: 1 },
        { stage: 'added', sessions: 3_000, fromPrevious: 0.3 },
        { stage: 'checked_out', sessions: 1_650, fromPrevious: 0.55 },
        { stage: 'purchased', sessions: 1_155, fromPrevious: 0.7 },
      ],
      updatedAt: at,
    },
    shoppers: { data: { users: 8_765, sessions: 14_321, exact: false }, updatedAt: at },
    forecast: {
      data: {
        kind: 'ready',
        metric: 'revenue',
        granularity: '1m',
        model: 'FORECAST_MODEL_LINEAR',
        level: 0.8,
        historyWindows: 175,
        points: Array.from({ length: 60 }, (_, i) => ({
          windowStart: CURRENT + i * MINUTE,
          value: 125_000,
          lower: 70_000,
          upper: 180_000,
        })),
      },
      updatedAt: at,
    },
    alerts: {
      data: [
        {
          windowStart: CURRENT - 3 * MINUTE,
          metric: 'revenue',
          dimension: 'all',
          granularity: '1m',
          severity: 'critical',
          direction: 'spike',
          actual: 543_210,
          expectedMean: 125_000,
          expectedLower: 60_000,
          expectedUpper: 190_000,
          raisedAt: NOW - 60_000,
        },
        {
          windowStart: CURRENT - 2 * MINUTE,
          metric: 'orders',
          dimension: 'all',
          granularity: '1m',
          severity: 'warning',
          direction: 'spike',
          actual: 70,
          expectedMean: 30,
          expectedLower: 18,
          expectedUpper: 42,
          raisedAt: NOW - 55_000,
        },
      ],
      updatedAt: at,
    },
    streams: { data: { dlq: 17, late: 4 }, updatedAt: at },
  };
}

const text = (lines: string[]) => lines.join('\n');

describe('renderDashboard', () => {
  it('fits a full dashboard into 100 × 30 with every panel', () => {
    const lines = renderDashboard(fullModel(), { width: 100, height: 30, color: true });
    expect(lines.length).toBeLessThanOrEqual(30);
    for (const line of lines) expect(visibleLength(line)).toBeLessThanOrEqual(100);
    const all = text(renderDashboard(fullModel(), { width: 100, height: 30, color: false }));
    for (const part of [
      'Revenue & orders / min',
      'Top 5 products by revenue today',
      'Funnel today',
      'Unique shoppers today',
      'Forecast',
      'Recent alerts',
      'loadgen live',
    ])
      expect(all).toContain(part);
  });

  it('shows the last full minute in the base currency, not the filling one', () => {
    const all = text(renderDashboard(fullModel(), { width: 100, height: 30, color: false }));
    expect(all).toContain('€1,234.56/min');
    expect(all).toContain('31 orders/min');
  });

  it('ranks the top products with their revenue, without the dimension prefix', () => {
    const lines = renderDashboard(fullModel(), { width: 100, height: 30, color: false });
    const top = lines.find((line) => line.includes('1. SKU-00231'));
    expect(top).toContain('€54,321');
    expect(text(lines)).toContain('5. SKU-00100');
    expect(text(lines)).not.toContain('product:SKU');
  });

  it('shows the funnel stages with their conversion from the stage before and overall', () => {
    const all = text(renderDashboard(fullModel(), { width: 100, height: 30, color: false }));
    expect(all).toMatch(/added to cart\s+3,000 .* 30\.0%/);
    expect(all).toMatch(/checked out\s+1,650 .* 55\.0%/);
    expect(all).toMatch(/purchased\s+1,155 .* 70\.0%/);
    expect(all).toContain('viewed → purchased: 11.6%');
    expect(all).toContain('8,765 shoppers · 14,321 sessions');
  });

  it('shows the forecast with its model, interval and the next hour in total', () => {
    const all = text(renderDashboard(fullModel(), { width: 100, height: 30, color: false }));
    expect(all).toContain('model linear on 175 closed 1m windows');
    expect(all).toContain('€1,250.00 (80%: €700.00–€1,800.00)');
    expect(all).toContain('≈ €75,000');
  });

  it('says how much history the forecast still needs while it is too short', () => {
    const model = fullModel();
    model.forecast = { data: { kind: 'needs-history', granularity: '1m', required: 120, have: 40 }, updatedAt: NOW };
    const all = text(renderDashboard(model, { width: 100, height: 30, color: false }));
    expect(all).toContain('Forecast needs 80 more minutes of history');
  });

  it('shows a failed read in its panel and keeps the rest', () => {
    const model = fullModel();
    model.topProducts = { error: 'UNAVAILABLE metrics store unavailable' };
    model.minutes = { ...model.minutes, error: 'DEADLINE_EXCEEDED Deadline exceeded' };
    const all = text(renderDashboard(model, { width: 100, height: 30, color: false }));
    expect(all).toContain('unavailable: UNAVAILABLE metrics store');
    expect(all).toContain('(stale: DEADLINE_EXCEEDED)');
    expect(all).toContain('€1,234.56/min');
    expect(all).toContain('Funnel today');
  });

  it('shows the newest alerts first with actual against expected', () => {
    const lines = renderDashboard(fullModel(), { width: 100, height: 30, color: false });
    const first = lines.findIndex((line) => line.includes('orders'));
    const second = lines.findIndex((line) => line.includes('CRITICAL spike revenue'));
    expect(first).toBeGreaterThan(-1);
    expect(second).toBeGreaterThan(first);
    expect(alertLine(fullModel().alerts.data?.[0] ?? ({} as never), { currency: { code: 'EUR', exponent: 2 } })).toBe(
      '19:27 1m CRITICAL spike revenue €5,432.10 vs €1,250.00 expected (95%: €600.00–€1,900.00)',
    );
  });

  it('stacks the panels in one column on a narrow terminal and never exceeds its width', () => {
    const lines = renderDashboard(fullModel(), { width: 60, height: 80, color: true });
    for (const line of lines) expect(visibleLength(line)).toBeLessThanOrEqual(60);
    expect(lines.some((line) => line.includes('│'))).toBe(false);
    const revenue = lines.findIndex((line) => line.includes('Revenue & orders'));
    const top = lines.findIndex((line) => line.includes('Top 5 products'));
    expect(top).toBeGreaterThan(revenue);
  });

  it('drops the lowest sections on a short terminal', () => {
    const lines = renderDashboard(fullModel(), { width: 100, height: 12, color: false });
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(text(lines)).toContain('Revenue & orders');
    expect(text(lines)).not.toContain('Recent alerts');
  });

  it('shows the start-up progress and the backfill share before live traffic', () => {
    const model = fullModel();
    model.traffic = { ...liveTraffic(), stage: 'history', backfillShare: 0.42, liveSince: undefined };
    model.progress = ['store ready (12.1 s)', 'backfilling 180 min of shop history'];
    model.forecast = {};
    model.alerts = {};
    const all = text(renderDashboard(model, { width: 100, height: 30, color: false }));
    expect(all).toContain('▸ backfilling 180 min of shop history');
    expect(all).toContain('loadgen backfilling 3h00m of history 42%');
    expect(all).toContain('waiting for the first answer…');
  });
});

describe('renderStatusLine', () => {
  it('puts every panel in one line for a log (no terminal)', () => {
    const line = renderStatusLine(fullModel());
    expect(line).not.toContain('\n');
    expect(line).not.toContain('\u001b');
    for (const part of [
      't=1m40s',
      'traffic live',
      'sent 120000',
      'revenue/min €1,234.56',
      'orders/min 31',
      'top SKU-00231 €54,321',
      'funnel 10,000→1,155 sessions',
      'shoppers 8765',
      'forecast next 60 min €75,000 (linear)',
      'alerts 2',
      'late 4',
      'dlq 17',
    ])
      expect(line).toContain(part);
  });

  it('names the panels whose reads fail', () => {
    const model = fullModel();
    model.forecast = { error: 'UNAVAILABLE forecast down' };
    expect(renderStatusLine(model)).toContain('errors: forecast: UNAVAILABLE forecast down');
  });
});

describe('tracedPurchaseLink', () => {
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  const withTrace = (tracesUiUrl?: string): DashboardModel => {
    const model = fullModel();
    return {
      ...model,
      tracesUiUrl,
      traffic: { ...(model.traffic as TrafficState), lastTraced: { traceId, eventId: 'e', sentAt: model.now - 5_000 } },
    };
  };

  it("links the newest traced purchase to the viewer's trace page, in the dashboard and the status line", () => {
    const url = `http://127.0.0.1:9411/zipkin/traces/${traceId}`;
    expect(tracedPurchaseLink(withTrace('http://127.0.0.1:9411/zipkin/'))).toBe(url);
    expect(
      text(renderDashboard(withTrace('http://127.0.0.1:9411/zipkin/'), { width: 100, height: 40, color: false })),
    ).toContain(url);
    expect(renderStatusLine(withTrace('http://127.0.0.1:9411/zipkin'))).toContain(`trace of a purchase ${url}`);
    // The extra line still leaves every panel on a 100 × 30 terminal.
    const lines = renderDashboard(withTrace('http://127.0.0.1:9411/zipkin/'), { width: 100, height: 30, color: false });
    expect(lines.length).toBeLessThanOrEqual(30);
    expect(text(lines)).toContain('Recent alerts');
  });

  it('shows no link without a viewer or before a purchase was traced', () => {
    expect(tracedPurchaseLink(withTrace(undefined))).toBeUndefined();
    expect(tracedPurchaseLink({ ...fullModel(), tracesUiUrl: 'http://127.0.0.1:9411/zipkin/' })).toBeUndefined();
  });
});
