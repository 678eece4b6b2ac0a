import { ForecastClient, MetricsClient, millis } from '@pulse/client';
import { proto } from '@pulse/contracts';

import { Logger } from '@nestjs/common';

import { AlertFeed } from '../alerts/alert-feed.js';
import { ForecastAlertsClient } from '../alerts/forecast-alerts.client.js';
import { type ConsoleConfig } from '../console.config.js';
import { type PipelineHealthService } from '../pipeline/pipeline-health.service.js';
import {
  assembleSnapshot,
  chartRange,
  COUNTRY_METRICS,
  FORECAST_METRICS,
  SERIES_METRICS,
  snapshotChanged,
  type DashboardReads,
  type ForecastMetric,
  type ForecastRead,
  type Snapshot,
} from './dashboard-snapshot.js';

const { Granularity, GapFill } = proto.pulse.store.v1;

export type SnapshotListener = (snapshot: Snapshot) => void;

/** An error as a page can show it: the gRPC details when there are some, never a stack. */
function asError(reason: unknown): Error {
  const error = reason as { details?: string; message?: string };
  return new Error(error?.details || error?.message || String(reason));
}

async function settled<T>(read: Promise<T>): Promise<T | Error> {
  try {
    return await read;
  } catch (error) {
    return asError(error);
  }
}

/**
 * One tenant's live dashboard while at least one tab watches it: every refresh interval it reads
 * the store (series, distinct, funnel, top products and categories, countries), the forecast
 * bands (less often) and the pipeline health, assembles a snapshot and hands it to the listeners
 * when it differs from the last one. Queries go out with the tenant's own key, so the store and
 * the forecast service enforce the tenant themselves.
 */
export class TenantFeed {
  private readonly logger = new Logger(TenantFeed.name);
  private readonly metrics: MetricsClient;
  private readonly forecast: ForecastClient;
  private readonly alertsClient: ForecastAlertsClient;
  private readonly alerts: AlertFeed;
  private readonly listeners = new Set<SnapshotListener>();
  private latest?: Snapshot;
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<Snapshot>;
  private forecasts: { at: number; value: DashboardReads['forecasts'] } = { at: -Infinity, value: {} };
  private stopped = false;
  private dirty = false;

  constructor(
    readonly tenant: string,
    apiKey: string,
    private readonly config: Readonly<ConsoleConfig>,
    private readonly pipeline: PipelineHealthService,
  ) {
    const deadlineMs = config.PULSE_CONSOLE_QUERY_TIMEOUT_MS;
    this.metrics = new MetricsClient({ address: config.PULSE_STORE_ADDR, apiKey, deadlineMs });
    this.forecast = new ForecastClient({ address: config.PULSE_FORECAST_ADDR, apiKey, deadlineMs });
    this.alertsClient = new ForecastAlertsClient(config.PULSE_FORECAST_ADDR, apiKey, deadlineMs);
    this.alerts = new AlertFeed(this.alertsClient, {
      lookbackMs: config.PULSE_CONSOLE_ALERTS_LOOKBACK_HOURS * 3_600_000,
      shown: config.PULSE_CONSOLE_ALERTS_SHOWN,
      onChange: () => this.refreshSoon(),
    });
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  start(): void {
    this.alerts.start();
    this.schedule(0);
  }

  subscribe(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    if (this.latest) listener(this.latest);
    return () => this.listeners.delete(listener);
  }

  /** The current snapshot (reads one now if none was assembled yet). */
  async current(): Promise<Snapshot> {
    return this.latest ?? (await this.refresh());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.alerts.stop();
    this.alertsClient.close();
    this.metrics.close();
    this.forecast.close();
    this.listeners.clear();
  }

  /** An alert arrived: push it now rather than at the next tick. */
  private refreshSoon(): void {
    if (this.refreshing) this.dirty = true;
    else this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.refresh().finally(() => this.schedule(this.dirty ? 0 : this.config.PULSE_CONSOLE_REFRESH_MS));
    }, delayMs);
  }

  private refresh(): Promise<Snapshot> {
    this.refreshing ??= this.read().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async read(): Promise<Snapshot> {
    this.dirty = false;
    const now = Date.now();
    const { from, to } = chartRange(now, this.config.PULSE_CONSOLE_WINDOW_MINUTES);
    const range = { from, to };
    const auto = Granularity.GRANULARITY_UNSPECIFIED;
    const [series, distinct, funnel, topProducts, topCategories, countries, pipeline, forecasts] = await Promise.all([
      settled(
        this.metrics
          .getSeries({
            metrics: [...SERIES_METRICS],
            granularity: Granularity.GRANULARITY_MINUTE,
            gapFill: GapFill.GAP_FILL_ZERO,
            ...range,
          })
          .then((response) => ({
            points: response.points.map((point) => ({
              windowStart: millis(point.windowStart),
              values: point.values,
              closed: point.closed,
            })),
          })),
      ),
      settled(
        this.metrics
          .distinct({ metrics: ['unique_users', 'unique_sessions'], granularity: auto, ...range })
          .then((r) => ({
            uniqueUsers: r.counts[0]?.value ?? 0,
            uniqueSessions: r.counts[1]?.value ?? 0,
          })),
      ),
      settled(
        this.metrics.funnel({ dimension: 'all', granularity: auto, ...range }).then((r) =>
          (r.funnels[0]?.stages ?? []).map(({ stage, sessions, conversionFromPrevious, conversionFromFirst }) => ({
            stage,
            sessions,
            conversionFromPrevious,
            conversionFromFirst,
          })),
        ),
      ),
      settled(this.top('product', range)),
      settled(this.top('category', range)),
      settled(
        this.metrics
          .breakdown({ kind: 'country', metrics: [...COUNTRY_METRICS], pageSize: 100, granularity: auto, ...range })
          .then((r) =>
            r.rows
              .map(({ dimension, values, overflow }) => ({ dimension, values, overflow }))
              .sort((a, b) => (b.values[2] ?? 0) - (a.values[2] ?? 0) || (b.values[0] ?? 0) - (a.values[0] ?? 0)),
          ),
      ),
      settled(this.pipeline.read(this.tenant, now)),
      this.readForecasts(now),
    ]);
    const snapshot = assembleSnapshot(
      {
        tenant: this.tenant,
        series,
        distinct,
        funnel,
        topProducts,
        topCategories,
        countries,
        forecasts,
        alerts: this.alerts.recent,
        alertsMode: this.alerts.mode,
        pipeline,
      },
      now,
      this.config.PULSE_CONSOLE_WINDOW_MINUTES,
    );
    if (this.stopped) return snapshot;
    const changed = snapshotChanged(this.latest, snapshot);
    this.latest = snapshot;
    if (changed) for (const listener of this.listeners) listener(snapshot);
    return snapshot;
  }

  private top(kind: 'product' | 'category', range: { from: number; to: number }) {
    return this.metrics
      .topDimensions({ kind, metric: 'revenue', k: 10, granularity: Granularity.GRANULARITY_UNSPECIFIED, ...range })
      .then((r) => r.dimensions.map(({ dimension, value, overflow }) => ({ dimension, value, overflow })));
  }

  private async readForecasts(now: number): Promise<DashboardReads['forecasts']> {
    if (now - this.forecasts.at < this.config.PULSE_CONSOLE_FORECAST_REFRESH_MS) return this.forecasts.value;
    this.forecasts.at = now;
    const entries = await Promise.all(
      FORECAST_METRICS.map(async (metric): Promise<[ForecastMetric, ForecastRead | Error]> => [
        metric,
        await settled(
          this.forecast
            .forecast({ metric, dimension: 'all', granularity: '1m', horizon: 15, intervalLevels: [0.8, 0.95] })
            .then((r) => ({
              model: String(r.model).replace('FORECAST_MODEL_', '').toLowerCase(),
              points: r.points.map((p) => ({
                windowStart: millis(p.windowStart),
                mean: p.value,
                intervals: p.intervals.map(({ level, lower, upper }) => ({ level, lower, upper })),
              })),
            })),
        ),
      ]),
    );
    const value = Object.fromEntries(entries) as DashboardReads['forecasts'];
    // A forecast that failed (e.g. too little history yet) is tried again sooner than a good one.
    if (entries.some(([, read]) => read instanceof Error)) {
      this.forecasts.at = now - this.config.PULSE_CONSOLE_FORECAST_REFRESH_MS + 5_000;
      if (entries.every(([, read]) => read instanceof Error)) this.logger.debug?.(`no forecast for ${this.tenant} yet`);
    }
    this.forecasts.value = value;
    return value;
  }
}
