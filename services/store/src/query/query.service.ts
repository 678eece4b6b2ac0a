import {
  DIMENSION_ALL,
  GRANULARITIES,
  OVERFLOW_VALUE,
  windowStart,
  type DimensionKind,
  type Granularity,
  type Metric,
  type SketchMetric,
  type SumMetric,
} from '@pulse/contracts';

import { Inject, Injectable, Logger } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';

import { isSumMetric, metricValue, rankDimensions, type DimensionTotals } from '../partials/partial-merge.js';
import {
  PartialsRepository,
  type ReadOptions,
  type WindowRef,
  type WindowSums,
} from '../partials/partials.repository.js';
import { STORE_CONFIG, type StoreConfig } from '../store.config.js';
import { FUNNEL_METRICS, funnelStages, type FunnelStageResult } from './funnel-stages.js';
import { settledByHours } from './hour-evidence.js';
import { decodePageToken, encodePageToken, queryFingerprint } from './page-token.js';
import { runsCovering, windowStarts, type TimeRange } from './query-range.js';
import {
  planBreakdown,
  planDistinct,
  planFunnel,
  planSeries,
  planTop,
  type BreakdownInput,
  type DistinctInput,
  type FunnelInput,
  type QueryLimits,
  type RangePlan,
  type SeriesInput,
  type SeriesPlan,
  type TopInput,
} from './query-requests.js';
import { addIntoWindows, fillGaps, mergeIntoWindows, type SeriesWindow } from './series-points.js';
import { SettledWindowCache, type SeriesKey } from './settled-window-cache.js';

export interface SeriesResult {
  dimension: string;
  metrics: Metric[];
  granularity: Granularity;
  timeZone: string;
  points: SeriesWindow[];
}

interface PageOf<T> {
  items: T[];
  nextPageToken: string;
  /** Items of the whole result (all pages). */
  total: number;
  /** The range read, widened to window boundaries. */
  span: TimeRange;
}

export interface RankedDimension {
  rank: number;
  dimension: string;
  value: number;
  overflow: boolean;
}

export interface BreakdownRow {
  dimension: string;
  values: number[];
  overflow: boolean;
}

export interface DimensionFunnel {
  dimension: string;
  stages: FunnelStageResult[];
}

export interface DistinctCount {
  metric: SketchMetric;
  value: number;
  exact: boolean;
}

/** Uncached windows of a series are read as clustering ranges: joined across this many cached ones … */
const MAX_READ_GAP = 16;
/** … and into a single range beyond this many ranges. */
const MAX_READ_RUNS = 8;

/** Cache lookups and size as OpenTelemetry metrics (no-ops unless the SDK exports metrics). */
function observeCache(cache: SettledWindowCache): void {
  const meter = metrics.getMeter('@pulse/store');
  meter
    .createObservableCounter('pulse.store.settled_cache.lookups', {
      description: 'Series windows looked up in the settled-window cache, by result (hit or miss)',
      unit: '{window}',
    })
    .addCallback((result) => {
      const stats = cache.stats();
      result.observe(stats.hits, { result: 'hit' });
      result.observe(stats.misses, { result: 'miss' });
    });
  meter
    .createObservableGauge('pulse.store.settled_cache.size', {
      description: 'Estimated bytes held by the settled-window cache',
      unit: 'By',
    })
    .addCallback((result) => result.observe(cache.stats().bytes));
}

function isOverflow(dimension: string): boolean {
  return dimension.endsWith(`:${OVERFLOW_VALUE}`);
}

/** The windows of a range plan, for reads that fetch one partition per window. */
function windowsOf(plan: RangePlan): WindowRef[] {
  return plan.runs.flatMap((run) => windowStarts(run).map((start) => ({ granularity: run.granularity, start })));
}

/** What identifies a range plan's result in a page token: the windows read. */
function rangeKey(plan: RangePlan): unknown[] {
  return plan.runs.map((run) => [run.granularity, run.from, run.to]);
}

/**
 * The query use cases of MetricsService: validate and plan a request (pure, query-requests.ts),
 * read the merged partials, shape the answer. Tenant-scoped: the tenant is an argument that only
 * the transport's authentication provides. Every read honours the budget's signal and deadline.
 */
@Injectable()
export class QueryService {
  readonly limits: QueryLimits;
  /** Merged sums of settled windows, for series queries (docs/storage.md, "The series query path …"). */
  readonly settled: SettledWindowCache;
  private readonly partitions: number;
  private readonly logger = new Logger(QueryService.name);
  private misconfigured = false;

  constructor(
    private readonly partials: PartialsRepository,
    @Inject(STORE_CONFIG) config: StoreConfig,
  ) {
    this.limits = { maxPoints: config.PULSE_STORE_MAX_POINTS, maxWindows: config.PULSE_STORE_MAX_WINDOWS };
    this.partitions = config.PULSE_PARTITIONS;
    this.settled = new SettledWindowCache(config.PULSE_STORE_SETTLED_CACHE_MB * 1024 * 1024);
    observeCache(this.settled);
  }

  async series(tenant: string, input: SeriesInput, read: ReadOptions): Promise<SeriesResult> {
    const plan = planSeries(input, this.limits);
    const sums = plan.metrics.filter((metric) => isSumMetric(metric));
    const data =
      sums.length === plan.metrics.length
        ? await this.seriesOfSums(tenant, plan, sums, read)
        : await this.seriesOfTotals(tenant, plan, read);
    return {
      dimension: plan.dimension,
      metrics: plan.metrics,
      granularity: plan.granularity,
      timeZone: plan.timeZone,
      points: fillGaps(plan.windows, data, plan.metrics.length, plan.gapFill),
    };
  }

  /** Sums only: added over partitions by Cassandra, one row per window. */
  private async seriesOfSums(
    tenant: string,
    plan: SeriesPlan,
    sums: SumMetric[],
    read: ReadOptions,
  ): Promise<Map<number, { values: number[]; closed: boolean }>> {
    const { granularity, from, to } = plan.read;
    const parts = new Map<number, { start: number; values: number[]; closed: boolean }>();
    const keys: SeriesKey[] = sums.map((metric) => ({ tenant, granularity, dimension: plan.dimension, metric }));
    let windows: WindowSums[];
    if (!this.settled.enabled) {
      windows = await this.partials.windowSums(tenant, granularity, plan.dimension, sums, from, to, read);
    } else {
      // Settled windows from the cache; only the others (open, incomplete, empty) from Cassandra.
      const starts = windowStarts(plan.read);
      const now = Date.now();
      const cached = keys.map((key) => this.settled.lookup(key, starts, now));
      const missing: number[] = [];
      for (const start of starts) {
        const values = cached.map((found) => found.get(start));
        if (values.every((value) => typeof value === 'number')) parts.set(start, { start, values, closed: true });
        else missing.push(start);
      }
      const runs = runsCovering(missing, granularity, MAX_READ_GAP, MAX_READ_RUNS);
      const reads = await Promise.all(
        runs.map((run) => this.partials.windowSums(tenant, granularity, plan.dimension, sums, run.from, run.to, read)),
      );
      windows = reads.flat();
    }
    const proven = await this.provenByHours(tenant, plan, windows, read);
    for (const window of windows) {
      const values = sums.map((metric) => window.metrics[metric] ?? 0);
      parts.set(window.windowStart, { start: window.windowStart, values, closed: window.closed });
      if (this.isSettled(window) || proven.has(window.windowStart)) {
        keys.forEach((key, i) => this.settled.store(key, window.windowStart, values[i] ?? 0, window.expiresAt));
      }
    }
    const ordered = [...parts.values()].sort((a, b) => a.start - b.start);
    return plan.localDays ? addIntoWindows(plan.windows, ordered) : new Map(ordered.map((part) => [part.start, part]));
  }

  /**
   * Minute windows of `all` whose rows are all closed but miss some partitions, proven settled by
   * their closed hours (hour-evidence.ts). Costs one read of the rows of those hours, so a series
   * pays it once, on the read that caches them.
   */
  private async provenByHours(
    tenant: string,
    plan: SeriesPlan,
    windows: readonly WindowSums[],
    read: ReadOptions,
  ): Promise<Set<number>> {
    if (!this.settled.enabled || plan.read.granularity !== '1m' || plan.dimension !== DIMENSION_ALL) return new Set();
    const closedRows = windows.filter((window) => window.closed && !this.isSettled(window) && !this.misconfigured);
    const [firstRow] = closedRows;
    const lastRow = closedRows[closedRows.length - 1];
    if (!firstRow || !lastRow) return new Set();
    const hourOf = (start: number) => windowStart(start, '1h');
    const HOUR = GRANULARITIES['1h'];
    // Hour rows first (≤ 24 × P a day): only an hour closed in every partition can prove its
    // minutes, so the minute rows are read only for those — never again for a quiet partition's.
    const hours = await this.partials.partitionEvents(
      tenant,
      '1h',
      DIMENSION_ALL,
      hourOf(firstRow.windowStart),
      hourOf(lastRow.windowStart) + HOUR,
      read,
    );
    const closedIn = new Map<number, number>();
    for (const row of hours) if (row.closed) closedIn.set(row.windowStart, (closedIn.get(row.windowStart) ?? 0) + 1);
    const candidates = closedRows.filter((window) => closedIn.get(hourOf(window.windowStart)) === this.partitions);
    const [first] = candidates;
    const last = candidates[candidates.length - 1];
    if (!first || !last) return new Set();
    const minutes = await this.partials.partitionEvents(
      tenant,
      '1m',
      DIMENSION_ALL,
      hourOf(first.windowStart),
      hourOf(last.windowStart) + HOUR,
      read,
    );
    return settledByHours(candidates, minutes, hours, this.partitions);
  }

  /**
   * A window can never change again once every one of the P partitions wrote its closing partial:
   * a closed partial is its partition's last emission (later events are late), and replays
   * rewrite it identically. A window that some partition has not written is not settled, even
   * when all its rows are closed: that partition may still report (docs/storage.md).
   */
  private isSettled(window: WindowSums): boolean {
    if (window.topPartition >= this.partitions && !this.misconfigured) {
      this.misconfigured = true;
      this.logger.error(
        `series_partials holds partition ${window.topPartition}, but PULSE_PARTITIONS is ${this.partitions}: the settled-window cache stays unused until the store runs with the aggregator's PULSE_PARTITIONS`,
      );
    }
    return (
      !this.misconfigured &&
      window.closed &&
      window.partials === this.partitions &&
      window.topPartition === this.partitions - 1
    );
  }

  /** Distinct metrics among them: partials merged here (sketches unioned). */
  private async seriesOfTotals(
    tenant: string,
    plan: SeriesPlan,
    read: ReadOptions,
  ): Promise<Map<number, { values: number[]; closed: boolean }>> {
    const { granularity, from, to } = plan.read;
    const windows = await this.partials.windows(tenant, granularity, plan.dimension, from, to, {
      ...read,
      metrics: plan.metrics,
    });
    const merged = plan.localDays
      ? mergeIntoWindows(plan.windows, windows)
      : new Map(windows.map((window) => [window.windowStart, window]));
    return new Map(
      [...merged].map(([start, totals]) => [
        start,
        { values: plan.metrics.map((metric) => metricValue(totals, metric)), closed: totals.closed },
      ]),
    );
  }

  async top(
    tenant: string,
    input: TopInput,
    read: ReadOptions,
  ): Promise<PageOf<RankedDimension> & { kind: DimensionKind; metric: Metric }> {
    const plan = planTop(input, this.limits);
    const fingerprint = queryFingerprint(['top', tenant, plan.kind, plan.metric, rangeKey(plan)]);
    const { offset } = decodePageToken(plan.pageToken, fingerprint, 'offset');
    const dimensions = await this.partials.dimensionsOf(tenant, plan.kind, windowsOf(plan), {
      ...read,
      metrics: [plan.metric],
    });
    const page = rankDimensions(dimensions, plan.metric, offset + plan.k).slice(offset);
    const next = offset + plan.k;
    return {
      kind: plan.kind,
      metric: plan.metric,
      items: page.map((totals, index) => ({
        rank: offset + index + 1,
        dimension: totals.dimension,
        value: metricValue(totals, plan.metric),
        overflow: isOverflow(totals.dimension),
      })),
      nextPageToken: next < dimensions.length ? encodePageToken({ offset: next }, fingerprint) : '',
      total: dimensions.length,
      span: plan.span,
    };
  }

  async breakdown(
    tenant: string,
    input: BreakdownInput,
    read: ReadOptions,
  ): Promise<PageOf<BreakdownRow> & { kind: DimensionKind; metrics: Metric[] }> {
    const plan = planBreakdown(input, this.limits);
    const fingerprint = queryFingerprint(['breakdown', tenant, plan.kind, plan.metrics, rangeKey(plan)]);
    const after = decodePageToken(plan.pageToken, fingerprint, 'after')?.after;
    const dimensions = await this.partials.dimensionsOf(tenant, plan.kind, windowsOf(plan), {
      ...read,
      metrics: plan.metrics,
    });
    // Sorted by name: resume after the last dimension served, so pages never repeat or skip one.
    const start = after === undefined ? 0 : dimensions.findIndex((totals) => totals.dimension > after);
    const rest = start < 0 ? [] : dimensions.slice(start);
    const page = rest.slice(0, plan.pageSize);
    const last = page[page.length - 1];
    return {
      kind: plan.kind,
      metrics: plan.metrics,
      items: page.map((totals) => ({
        dimension: totals.dimension,
        values: plan.metrics.map((metric) => metricValue(totals, metric)),
        overflow: isOverflow(totals.dimension),
      })),
      nextPageToken: last && rest.length > page.length ? encodePageToken({ after: last.dimension }, fingerprint) : '',
      total: dimensions.length,
      span: plan.span,
    };
  }

  async funnel(tenant: string, input: FunnelInput, read: ReadOptions): Promise<PageOf<DimensionFunnel>> {
    const plan = planFunnel(input, this.limits);
    const options = { ...read, metrics: FUNNEL_METRICS };
    if (!plan.kind) {
      const totals = await this.partials.spanTotals(tenant, plan.dimension, plan.runs, options);
      return {
        items: [{ dimension: plan.dimension, stages: funnelStages(totals.distinct) }],
        nextPageToken: '',
        total: 1,
        span: plan.span,
      };
    }
    const fingerprint = queryFingerprint(['funnel', tenant, plan.kind, rangeKey(plan)]);
    const { offset } = decodePageToken(plan.pageToken, fingerprint, 'offset');
    const dimensions = await this.partials.dimensionsOf(tenant, plan.kind, windowsOf(plan), options);
    const ranked: DimensionTotals[] = rankDimensions(dimensions, 'funnel_viewed', offset + plan.pageSize).slice(offset);
    const next = offset + plan.pageSize;
    return {
      items: ranked.map((totals) => ({ dimension: totals.dimension, stages: funnelStages(totals.distinct) })),
      nextPageToken: next < dimensions.length ? encodePageToken({ offset: next }, fingerprint) : '',
      total: dimensions.length,
      span: plan.span,
    };
  }

  async distinct(
    tenant: string,
    input: DistinctInput,
    read: ReadOptions,
  ): Promise<{ dimension: string; counts: DistinctCount[]; span: TimeRange }> {
    const plan = planDistinct(input, this.limits);
    const totals = await this.partials.spanTotals(tenant, plan.dimension, plan.runs, {
      ...read,
      metrics: plan.metrics,
    });
    return {
      dimension: plan.dimension,
      counts: plan.metrics.map((metric) => ({
        metric,
        value: totals.distinct[metric],
        exact: totals.sketches[metric].isExact(),
      })),
      span: plan.span,
    };
  }
}
