import {
  OVERFLOW_VALUE,
  type DimensionKind,
  type Granularity,
  type Metric,
  type SketchMetric,
  type SumMetric,
} from '@pulse/contracts';

import { Inject, Injectable } from '@nestjs/common';

import { isSumMetric, metricValue, rankDimensions, type DimensionTotals } from '../partials/partial-merge.js';
import { PartialsRepository, type ReadOptions, type WindowRef } from '../partials/partials.repository.js';
import { STORE_CONFIG, type StoreConfig } from '../store.config.js';
import { FUNNEL_METRICS, funnelStages, type FunnelStageResult } from './funnel-stages.js';
import { decodePageToken, encodePageToken, queryFingerprint } from './page-token.js';
import { windowStarts, type TimeRange } from './query-range.js';
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

  constructor(
    private readonly partials: PartialsRepository,
    @Inject(STORE_CONFIG) config: StoreConfig,
  ) {
    this.limits = { maxPoints: config.PULSE_STORE_MAX_POINTS, maxWindows: config.PULSE_STORE_MAX_WINDOWS };
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
    const windows = await this.partials.windowSums(tenant, granularity, plan.dimension, sums, from, to, read);
    const parts = windows.map((window) => ({
      start: window.windowStart,
      values: sums.map((metric) => window.metrics[metric] ?? 0),
      closed: window.closed,
    }));
    return plan.localDays ? addIntoWindows(plan.windows, parts) : new Map(parts.map((part) => [part.start, part]));
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
