import { timestamp } from '@pulse/client';
import { proto } from '@pulse/contracts';

import { type AlertView } from '../dashboard/dashboard-snapshot.js';
import { alertView, mergeAlerts } from './alert-view.js';

const { AlertSeverity, AnomalyDirection, ForecastModel } = proto.pulse.forecast.v1;

function view(id: string, raisedAt: number, windowStart = 0): AlertView {
  return {
    id,
    metric: 'revenue',
    dimension: 'all',
    granularity: '1m',
    windowStart,
    windowEnd: windowStart + 60_000,
    severity: 'warning',
    direction: 'spike',
    actual: 1,
    expectedMean: 0,
    expectedLower: 0,
    expectedUpper: 0,
    raisedAt,
  };
}

describe('alert views', () => {
  it('turns a gRPC alert (string enums, Timestamps) into epoch ms and plain words', () => {
    const alert: proto.pulse.forecast.v1.Alert = {
      id: 'demo:orders:all:1m:1800000000000',
      metric: 'orders',
      dimension: 'all',
      granularity: '1m',
      windowStart: timestamp(1_800_000_000_000),
      windowEnd: timestamp(1_800_000_060_000),
      severity: AlertSeverity.ALERT_SEVERITY_CRITICAL,
      direction: AnomalyDirection.ANOMALY_DIRECTION_DROP,
      actual: 2,
      expected: { mean: 40, lower: 30, upper: 50, level: 0.95 },
      score: 7.6,
      model: ForecastModel.FORECAST_MODEL_LINEAR,
      raisedAt: timestamp(1_800_000_131_500),
      streamSequence: 12,
    };
    expect(alertView(alert)).toEqual({
      id: 'demo:orders:all:1m:1800000000000',
      metric: 'orders',
      dimension: 'all',
      granularity: '1m',
      windowStart: 1_800_000_000_000,
      windowEnd: 1_800_000_060_000,
      severity: 'critical',
      direction: 'drop',
      actual: 2,
      expectedMean: 40,
      expectedLower: 30,
      expectedUpper: 50,
      raisedAt: 1_800_000_131_500,
    });
  });

  it('lists each alert once, newest raised first, and keeps only the newest `limit`', () => {
    const known = [view('a', 1_000), view('b', 2_000)];
    const arrived = [view('b', 2_000), view('c', 3_000), view('d', 500)];
    expect(mergeAlerts(known, arrived, 3).map((a) => a.id)).toEqual(['c', 'b', 'a']);
  });

  it('replaces an alert seen again (a replay after reconnecting) instead of listing it twice', () => {
    const replayed = { ...view('a', 1_000), actual: 5 };
    expect(mergeAlerts([view('a', 1_000)], [replayed], 10)).toEqual([replayed]);
  });
});
