/**
 * What the page shows, as one JSON document per tenant, and how it is assembled from the reads
 * of one refresh. Pure: the shell (tenant-feed.ts) does the reads and passes the clock in. The
 * browser imports these types (type-only) from here, so the server and the page share one shape.
 */

export const MINUTE = 60_000;

/** The metrics of the overview charts, per 1-minute window. */
export const SERIES_METRICS = [
  'revenue',
  'orders',
  'events',
  'unique_users',
  'unique_sessions',
  'funnel_purchased',
] as const;
/** Metrics with a forecast band on their chart. */
export const FORECAST_METRICS = ['revenue', 'orders'] as const;
export type ForecastMetric = (typeof FORECAST_METRICS)[number];

export interface SeriesRead {
  /** Window starts (epoch ms) with one value per SERIES_METRICS entry, in that order. */
  points: ReadonlyArray<{ windowStart: number; values: readonly number[]; closed: boolean }>;
}

export interface ForecastRead {
  model: string;
  points: ReadonlyArray<{
    windowStart: number;
    mean: number;
    /** Intervals by level, e.g. 0.8 and 0.95. */
    intervals: ReadonlyArray<{ level: number; lower: number; upper: number }>;
  }>;
}

export interface RankedRead {
  dimension: string;
  value: number;
  overflow: boolean;
}

export interface CountryRead {
  dimension: string;
  /** events, orders, revenue (COUNTRY_METRICS order). */
  values: readonly number[];
  overflow: boolean;
}
export const COUNTRY_METRICS = ['events', 'orders', 'revenue'] as const;

export interface FunnelStageRead {
  stage: string;
  sessions: number;
  conversionFromPrevious: number;
  conversionFromFirst: number;
}

export type AlertSeverity = 'warning' | 'critical';
export type AlertDirection = 'spike' | 'drop';

/** An anomaly alert as the page shows it (times epoch ms). */
export interface AlertView {
  id: string;
  metric: string;
  dimension: string;
  granularity: string;
  windowStart: number;
  windowEnd: number;
  severity: AlertSeverity;
  direction: AlertDirection;
  actual: number;
  expectedMean: number;
  expectedLower: number;
  expectedUpper: number;
  raisedAt: number;
}

/** How the alert list is kept current: a WatchAlerts stream, ListAlerts polling, or neither. */
export type AlertsMode = 'live' | 'polling' | 'unavailable';

export interface ConsumerLag {
  stream: string;
  /** Which stage reads the stream (cleaner, aggregator, store). */
  stage: string;
  consumers: number;
  /** Messages not yet delivered to the stage's consumers (sum over them). */
  pending: number;
  /** Delivered, not yet acknowledged. */
  ackPending: number;
}

export interface PipelineHealth {
  lag: ConsumerLag[];
  /** The tenant's events in the dead-letter stream (invalid, with a reason). */
  dlq: number;
  /** The tenant's events that arrived after their window closed. */
  late: number;
}

/** Everything one refresh read; a section that could not be read carries its error instead. */
export interface DashboardReads {
  tenant: string;
  series: SeriesRead | Error;
  distinct: { uniqueUsers: number; uniqueSessions: number } | Error;
  funnel: FunnelStageRead[] | Error;
  topProducts: RankedRead[] | Error;
  topCategories: RankedRead[] | Error;
  countries: CountryRead[] | Error;
  forecasts: Partial<Record<ForecastMetric, ForecastRead | Error>>;
  alerts: readonly AlertView[];
  alertsMode: AlertsMode;
  pipeline: PipelineHealth | Error;
}

export interface ForecastBand {
  model: string;
  /** Aligned with Snapshot.chart.times; null outside the forecast. */
  mean: Array<number | null>;
  lower80: Array<number | null>;
  upper80: Array<number | null>;
  lower95: Array<number | null>;
  upper95: Array<number | null>;
}

export interface AlertMarker {
  id: string;
  time: number;
  severity: AlertSeverity;
  direction: AlertDirection;
}

export interface Snapshot {
  tenant: string;
  /** Epoch ms the snapshot was assembled (not part of the change check). */
  generatedAt: number;
  /** [from, to) of the overview charts' actuals; the forecast may reach past `to`. */
  range: { from: number; to: number };
  kpis: {
    revenue: number;
    orders: number;
    events: number;
    uniqueShoppers: number;
    /** Sessions that purchased / sessions active over the range (0 when none). */
    conversion: number;
  } | null;
  chart: {
    /** Window starts, one per minute, actuals first then forecast-only windows. */
    times: number[];
    revenue: Array<number | null>;
    orders: Array<number | null>;
    conversion: Array<number | null>;
    uniqueShoppers: Array<number | null>;
    forecast: Partial<Record<ForecastMetric, ForecastBand>>;
    markers: Partial<Record<ForecastMetric, AlertMarker[]>>;
  } | null;
  topProducts: RankedRead[] | null;
  topCategories: RankedRead[] | null;
  countries: Array<{ country: string; events: number; orders: number; revenue: number; overflow: boolean }> | null;
  funnel: FunnelStageRead[] | null;
  alerts: AlertView[];
  alertsMode: AlertsMode;
  pipeline: PipelineHealth | null;
  /** Sections that could not be read, with why (e.g. `forecast.revenue: needs 120 points ...`). */
  problems: Record<string, string>;
}

/** The chart range: the last `windowMinutes` whole minutes up to and including the current one. */
export function chartRange(now: number, windowMinutes: number): { from: number; to: number } {
  const to = Math.floor(now / MINUTE) * MINUTE + MINUTE;
  return { from: to - windowMinutes * MINUTE, to };
}

const ratio = (numerator: number, denominator: number) => (denominator > 0 ? numerator / denominator : 0);

function valueOr<T>(read: T | Error, problems: Record<string, string>, section: string): T | null {
  if (read instanceof Error) {
    problems[section] = read.message;
    return null;
  }
  return read;
}

/** The name part of `<kind>:<value>` (`country:GB` → `GB`). */
export function dimensionValue(dimension: string): string {
  const colon = dimension.indexOf(':');
  return colon < 0 ? dimension : dimension.slice(colon + 1);
}

export function assembleSnapshot(reads: DashboardReads, now: number, windowMinutes: number): Snapshot {
  const problems: Record<string, string> = {};
  const range = chartRange(now, windowMinutes);
  const series = valueOr(reads.series, problems, 'series');
  const distinct = valueOr(reads.distinct, problems, 'distinct');
  const funnel = valueOr(reads.funnel, problems, 'funnel');

  const forecasts: Partial<Record<ForecastMetric, ForecastRead>> = {};
  for (const metric of FORECAST_METRICS) {
    const read = reads.forecasts[metric];
    if (read === undefined) continue;
    const value = valueOr(read, problems, `forecast.${metric}`);
    if (value) forecasts[metric] = value;
  }

  let chart: Snapshot['chart'] = null;
  let kpis: Snapshot['kpis'] = null;
  if (series) {
    const forecastEnd = Math.max(
      range.to,
      ...Object.values(forecasts).flatMap((f) => f.points.map((p) => p.windowStart + MINUTE)),
    );
    const times: number[] = [];
    for (let t = range.from; t < forecastEnd; t += MINUTE) times.push(t);
    const index = new Map(times.map((t, i) => [t, i]));
    const actual = (): Array<number | null> => times.map((t) => (t < range.to ? 0 : null));
    const revenue = actual();
    const orders = actual();
    const events = actual();
    const users = actual();
    const sessions = actual();
    const purchased = actual();
    for (const point of series.points) {
      const i = index.get(point.windowStart);
      if (i === undefined || point.windowStart >= range.to) continue;
      const [r, o, e, u, s, p] = SERIES_METRICS.map((_, m) => point.values[m] ?? 0);
      revenue[i] = r;
      orders[i] = o;
      events[i] = e;
      users[i] = u;
      sessions[i] = s;
      purchased[i] = p;
    }
    const conversion = times.map((t, i) => (t < range.to ? ratio(purchased[i] ?? 0, sessions[i] ?? 0) : null));
    const bands: Partial<Record<ForecastMetric, ForecastBand>> = {};
    for (const [metric, forecast] of Object.entries(forecasts) as Array<[ForecastMetric, ForecastRead]>) {
      const band: ForecastBand = {
        model: forecast.model,
        mean: times.map(() => null),
        lower80: times.map(() => null),
        upper80: times.map(() => null),
        lower95: times.map(() => null),
        upper95: times.map(() => null),
      };
      for (const point of forecast.points) {
        const i = index.get(point.windowStart);
        if (i === undefined) continue;
        band.mean[i] = point.mean;
        const at = (level: number) => point.intervals.find((interval) => Math.abs(interval.level - level) < 1e-9);
        band.lower80[i] = at(0.8)?.lower ?? null;
        band.upper80[i] = at(0.8)?.upper ?? null;
        band.lower95[i] = at(0.95)?.lower ?? null;
        band.upper95[i] = at(0.95)?.upper ?? null;
      }
      bands[metric] = band;
    }
    const markers: Partial<Record<ForecastMetric, AlertMarker[]>> = {};
    for (const metric of FORECAST_METRICS) {
      const shown = reads.alerts
        .filter(
          (a) =>
            a.metric === metric && a.dimension === 'all' && a.windowEnd > range.from && a.windowStart < forecastEnd,
        )
        .map((a) => ({
          id: a.id,
          time: Math.max(a.windowStart, range.from),
          severity: a.severity,
          direction: a.direction,
        }));
      if (shown.length > 0) markers[metric] = shown;
    }
    chart = { times, revenue, orders, conversion, uniqueShoppers: users, forecast: bands, markers };
    const sum = (values: Array<number | null>) => values.reduce<number>((total, v) => total + (v ?? 0), 0);
    const purchasedSessions = funnel?.find((stage) => stage.stage === 'purchased')?.sessions ?? sum(purchased);
    kpis = {
      revenue: sum(revenue),
      orders: sum(orders),
      events: sum(events),
      uniqueShoppers: distinct?.uniqueUsers ?? Math.max(0, ...users.map((v) => v ?? 0)),
      conversion: ratio(purchasedSessions, distinct?.uniqueSessions ?? 0),
    };
  }

  const countries = valueOr(reads.countries, problems, 'countries');
  const pipeline = valueOr(reads.pipeline, problems, 'pipeline');
  if (reads.alertsMode === 'unavailable') problems.alerts ??= 'the forecast service does not answer ListAlerts';
  return {
    tenant: reads.tenant,
    generatedAt: now,
    range,
    kpis,
    chart,
    topProducts: valueOr(reads.topProducts, problems, 'topProducts'),
    topCategories: valueOr(reads.topCategories, problems, 'topCategories'),
    countries:
      countries?.map((row) => ({
        country: dimensionValue(row.dimension),
        events: row.values[0] ?? 0,
        orders: row.values[1] ?? 0,
        revenue: row.values[2] ?? 0,
        overflow: row.overflow,
      })) ?? null,
    funnel,
    alerts: [...reads.alerts],
    alertsMode: reads.alertsMode,
    pipeline,
    problems,
  };
}

/** Whether `next` shows anything `previous` did not (the assembly time alone is no change). */
export function snapshotChanged(previous: Snapshot | undefined, next: Snapshot): boolean {
  if (!previous) return true;
  return JSON.stringify({ ...previous, generatedAt: 0 }) !== JSON.stringify({ ...next, generatedAt: 0 });
}
