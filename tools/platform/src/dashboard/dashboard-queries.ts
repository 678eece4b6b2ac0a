/** The dashboard's reads, all over gRPC through @pulse/client, each turned into its panel's data. */
import { millis, type ForecastClient, type MetricsClient } from '@pulse/client';
import { proto } from '@pulse/contracts';

import {
  type AlertLine,
  type ForecastView,
  type FunnelStep,
  type MinutePoint,
  type RankedProduct,
  type Shoppers,
} from './dashboard-model.js';
import { MINUTES_SHOWN } from './dashboard-view.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const { Granularity, GapFill } = proto.pulse.store.v1;

/** [UTC midnight, the end of the current minute): "today" for the panels that say so. */
export function today(now: number): { from: number; to: number } {
  return { from: Math.floor(now / DAY) * DAY, to: Math.floor(now / MINUTE) * MINUTE + MINUTE };
}

export async function readMinutes(metrics: MetricsClient, now: number): Promise<MinutePoint[]> {
  const to = Math.floor(now / MINUTE) * MINUTE + MINUTE;
  const response = await metrics.getSeries({
    metrics: ['revenue', 'orders'],
    dimension: 'all',
    granularity: Granularity.GRANULARITY_MINUTE,
    gapFill: GapFill.GAP_FILL_ZERO,
    from: to - MINUTES_SHOWN * MINUTE,
    to,
  });
  return response.points.map((p) => ({
    windowStart: millis(p.windowStart),
    revenue: p.values[0] ?? 0,
    orders: p.values[1] ?? 0,
  }));
}

export async function readTopProducts(metrics: MetricsClient, now: number): Promise<RankedProduct[]> {
  const response = await metrics.topDimensions({ kind: 'product', metric: 'revenue', k: 5, ...today(now) });
  return response.dimensions.map((d) => ({ product: d.dimension, revenue: d.value }));
}

export async function readFunnel(metrics: MetricsClient, now: number): Promise<FunnelStep[]> {
  const response = await metrics.funnel({ dimension: 'all', ...today(now) });
  return (response.funnels[0]?.stages ?? []).map((stage, i) => ({
    stage: stage.stage,
    sessions: stage.sessions,
    fromPrevious: i === 0 ? 1 : stage.conversionFromPrevious,
  }));
}

export async function readShoppers(metrics: MetricsClient, now: number): Promise<Shoppers> {
  const response = await metrics.distinct({ metrics: ['unique_users', 'unique_sessions'], ...today(now) });
  const [users, sessions] = response.counts;
  return {
    users: users?.value ?? 0,
    sessions: sessions?.value ?? 0,
    exact: (users?.exact ?? true) && (sessions?.exact ?? true),
  };
}

const FORECAST_LEVEL = 0.8;

export async function readForecast(
  forecasts: ForecastClient,
  query: { metric: string; granularity: string; horizon: number },
): Promise<ForecastView> {
  try {
    const response = await forecasts.forecast({ ...query, intervalLevels: [FORECAST_LEVEL] });
    const stepMs = { '1m': MINUTE, '1h': 60 * MINUTE, '1d': DAY }[response.granularity] ?? MINUTE;
    return {
      kind: 'ready',
      metric: response.metric,
      granularity: response.granularity,
      model: String(response.model),
      level: FORECAST_LEVEL,
      historyWindows: Math.round((millis(response.historyEnd) - millis(response.historyStart)) / stepMs),
      points: response.points.map((p) => ({
        windowStart: millis(p.windowStart),
        value: p.value,
        lower: p.intervals[0]?.lower ?? p.value,
        upper: p.intervals[0]?.upper ?? p.value,
      })),
    };
  } catch (error) {
    const shortage = historyShortage(error);
    if (shortage) return { kind: 'needs-history', granularity: query.granularity, ...shortage };
    throw error;
  }
}

/** FAILED_PRECONDITION "auto needs at least 120 points of 1m history, got 40" → {required, have}. */
export function historyShortage(error: unknown): { required: number; have: number } | undefined {
  const { code, details } = error as { code?: number; details?: string };
  if (code !== 9 || typeof details !== 'string') return undefined;
  const match = /needs at least (\d+) points of .*?, got (\d+)/.exec(details);
  return match ? { required: Number(match[1]), have: Number(match[2]) } : undefined;
}

type Alert = proto.pulse.forecast.v1.Alert;

/** Every alert raised since `since` (epoch ms), oldest first: ListAlerts, page by page. */
export async function readAlerts(forecasts: ForecastClient, since: number): Promise<AlertLine[]> {
  const lines: AlertLine[] = [];
  for await (const page of forecasts.listAlertsPages({ since, pageSize: 1000 }))
    lines.push(...page.alerts.map(alertLineOf));
  return lines;
}

export function alertLineOf(alert: Alert): AlertLine {
  return {
    windowStart: millis(alert.windowStart),
    metric: alert.metric,
    dimension: alert.dimension,
    granularity: alert.granularity,
    severity: String(alert.severity) === 'ALERT_SEVERITY_CRITICAL' ? 'critical' : 'warning',
    direction: String(alert.direction) === 'ANOMALY_DIRECTION_DROP' ? 'drop' : 'spike',
    actual: alert.actual,
    expectedMean: alert.expected?.mean ?? 0,
    expectedLower: alert.expected?.lower ?? 0,
    expectedUpper: alert.expected?.upper ?? 0,
    raisedAt: millis(alert.raisedAt),
  };
}

/**
 * Messages in PULSE_DLQ and PULSE_LATE from the NATS monitoring endpoint (`/jsz`), which costs
 * one HTTP call and no consumer. The counts are the streams' totals (every tenant, as retained).
 */
export async function readStreamTotals(monitorUrl: string): Promise<{ dlq: number; late: number }> {
  const response = await fetch(`${monitorUrl}/jsz?streams=true`, { signal: AbortSignal.timeout(2_000) });
  if (!response.ok) throw new Error(`NATS monitor answered ${response.status}`);
  const body = (await response.json()) as {
    account_details?: Array<{ stream_detail?: Array<{ name: string; state?: { messages?: number } }> }>;
  };
  const streams = (body.account_details ?? []).flatMap((account) => account.stream_detail ?? []);
  const messages = (name: string) => streams.find((s) => s.name === name)?.state?.messages ?? 0;
  return { dlq: messages('PULSE_DLQ'), late: messages('PULSE_LATE') };
}
