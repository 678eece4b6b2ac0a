import { millis } from '@pulse/client';
import { type proto } from '@pulse/contracts';

import { type AlertView } from '../dashboard/dashboard-snapshot.js';

type Alert = proto.pulse.forecast.v1.Alert;

/** A gRPC Alert (string enums, as the proto loader decodes them) as the page shows it. */
export function alertView(alert: Alert): AlertView {
  const severity = String(alert.severity) === 'ALERT_SEVERITY_CRITICAL' ? 'critical' : 'warning';
  const direction = String(alert.direction) === 'ANOMALY_DIRECTION_DROP' ? 'drop' : 'spike';
  return {
    id: alert.id,
    metric: alert.metric,
    dimension: alert.dimension,
    granularity: alert.granularity,
    windowStart: millis(alert.windowStart),
    windowEnd: millis(alert.windowEnd),
    severity,
    direction,
    actual: alert.actual,
    expectedMean: alert.expected?.mean ?? 0,
    expectedLower: alert.expected?.lower ?? 0,
    expectedUpper: alert.expected?.upper ?? 0,
    raisedAt: millis(alert.raisedAt),
  };
}

/**
 * The alerts to show: `known` and `arrived` together, one per id (a replayed or re-listed alert
 * replaces its earlier copy), newest raised first, at most `limit`.
 */
export function mergeAlerts(known: readonly AlertView[], arrived: readonly AlertView[], limit: number): AlertView[] {
  const byId = new Map<string, AlertView>();
  for (const alert of [...known, ...arrived]) byId.set(alert.id, alert);
  return [...byId.values()]
    .sort((a, b) => b.raisedAt - a.raisedAt || b.windowStart - a.windowStart || a.id.localeCompare(b.id))
    .slice(0, limit);
}
