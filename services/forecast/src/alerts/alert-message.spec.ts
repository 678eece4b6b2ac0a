import { parseAlert } from '@pulse/contracts';
import { type ForecastPoint } from '@pulse/forecasting';

import { buildAlert, type WatchedSeries } from './alert-message.js';

const HOUR = 3_600_000;
const W = Date.UTC(2026, 10, 2, 14);
const series: WatchedSeries = { tenant: 'shop-a', metric: 'revenue', dimension: 'product:SKU-1', granularity: '1h' };
const point: ForecastPoint = { t: W, mean: 500, intervals: [{ level: 0.95, lower: 420, upper: 580 }] };

describe('alert messages', () => {
  it('carries severity, direction, the expected range, the actual, the series and the window', () => {
    const alert = buildAlert(
      series,
      W,
      1_200,
      point,
      {
        anomalous: true,
        severity: 'critical',
        direction: 'spike',
        score: 8.75,
        expected: { level: 0.95, lower: 420, upper: 580 },
      },
      'holt_winters',
      W + HOUR + 310_000,
    );
    expect(alert).toEqual({
      v: 1,
      id: `shop-a:revenue:product:SKU-1:1h:${W}`,
      tenant: 'shop-a',
      metric: 'revenue',
      dimension: 'product:SKU-1',
      granularity: '1h',
      window_start: W,
      window_end: W + HOUR,
      severity: 'critical',
      direction: 'spike',
      actual: 1_200,
      expected: { mean: 500, lower: 420, upper: 580, level: 0.95 },
      score: 8.75,
      model: 'holt_winters',
      raised_at: W + HOUR + 310_000,
    });
    expect(parseAlert(JSON.parse(JSON.stringify(alert)))).toEqual(alert);
  });

  it('writes an infinite score (a departure from an all-zero forecast) as null, which JSON can carry', () => {
    const zero: ForecastPoint = { t: W, mean: 0, intervals: [{ level: 0.95, lower: 0, upper: 0 }] };
    const alert = buildAlert(
      series,
      W,
      3,
      zero,
      {
        anomalous: true,
        severity: 'critical',
        direction: 'spike',
        score: Infinity,
        expected: { level: 0.95, lower: 0, upper: 0 },
      },
      'seasonal_naive',
      W,
    );
    expect(alert.score).toBeNull();
    expect(parseAlert(JSON.parse(JSON.stringify(alert)))).toEqual(alert);
  });
});
