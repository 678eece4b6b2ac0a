import {
  DIMENSION_ALL,
  DIMENSION_KINDS,
  GRANULARITIES,
  METRICS,
  SKETCH_METRICS,
  type DimensionKind,
  type Granularity,
  type Metric,
  type SketchMetric,
} from '@pulse/contracts';

import { QueryArgumentError } from './query-error.js';
import {
  checkRange,
  runsFor,
  spanOf,
  windowCount,
  windowRun,
  windowStarts,
  type QueryGranularity,
  type TimeRange,
  type WindowRun,
} from './query-range.js';
import { type GapFill } from './series-points.js';
import { isUtc, localDays, resolveTimeZone } from './zone-days.js';

/** Per-query limits (store config). */
export interface QueryLimits {
  /** Values one response may carry: series windows × metrics, breakdown rows × metrics. */
  maxPoints: number;
  /** Windows one query may read (each a clustering range or a Cassandra partition). */
  maxWindows: number;
}

/**
 * Request fields as the transport decoded them. A granularity is `undefined` when the client sent
 * a value this server does not know, `auto` for GRANULARITY_UNSPECIFIED.
 */
interface RangeInput {
  granularity: QueryGranularity | undefined;
  from: number | undefined;
  to: number | undefined;
}

export interface SeriesInput extends RangeInput {
  metric: string;
  metrics: readonly string[];
  dimension: string;
  gapFill: GapFill | undefined;
  timeZone: string;
}

export interface TopInput extends RangeInput {
  kind: string;
  metric: string;
  k: number;
  pageToken: string;
}

export interface BreakdownInput extends RangeInput {
  kind: string;
  metrics: readonly string[];
  pageSize: number;
  pageToken: string;
}

export interface FunnelInput extends RangeInput {
  dimension: string;
  kind: string;
  pageSize: number;
  pageToken: string;
}

export interface DistinctInput extends RangeInput {
  dimension: string;
  metrics: readonly string[];
}

/** A validated series query and the windows it answers with. */
export interface SeriesPlan {
  dimension: string;
  metrics: Metric[];
  granularity: Granularity;
  gapFill: GapFill;
  /** Canonical zone of the day windows ("UTC" unless local days were asked for). */
  timeZone: string;
  /** Every window of the range, ascending: the points a gap-filled answer has. */
  windows: Array<{ start: number; end: number }>;
  /** What to read: the windows themselves, or for local days the hour windows they span. */
  read: WindowRun;
  /** Points are local days assembled from the hour windows in `read`. */
  localDays: boolean;
}

export interface RangePlan {
  /** Runs of windows to read, contiguous, ascending. */
  runs: WindowRun[];
  /** The span they cover: the request's range widened to window boundaries. */
  span: TimeRange;
}

export interface TopPlan extends RangePlan {
  kind: DimensionKind;
  metric: Metric;
  k: number;
  pageToken: string;
}

export interface BreakdownPlan extends RangePlan {
  kind: DimensionKind;
  metrics: Metric[];
  pageSize: number;
  pageToken: string;
}

export interface FunnelPlan extends RangePlan {
  /** One funnel of this dimension, or (with `kind`) one per dimension of the kind. */
  dimension: string;
  kind?: DimensionKind;
  pageSize: number;
  pageToken: string;
}

export interface DistinctPlan extends RangePlan {
  dimension: string;
  metrics: SketchMetric[];
}

const KNOWN_METRICS = METRICS.join(', ');

function checkMetric(name: string, field: string): Metric {
  if (name === '') throw new QueryArgumentError(field, `is required: one of ${KNOWN_METRICS}`);
  if (!(METRICS as readonly string[]).includes(name)) {
    throw new QueryArgumentError(field, `unknown metric ${JSON.stringify(name)}; one of ${KNOWN_METRICS}`);
  }
  return name as Metric;
}

function checkMetricList(names: readonly string[], field: string): Metric[] {
  if (names.length > METRICS.length) {
    throw new QueryArgumentError(field, `at most ${METRICS.length} metrics (each once), got ${names.length}`);
  }
  const seen = new Set<string>();
  return names.map((name, index) => {
    if (seen.has(name)) throw new QueryArgumentError(`${field}[${index}]`, `repeats ${JSON.stringify(name)}`);
    seen.add(name);
    return checkMetric(name, `${field}[${index}]`);
  });
}

function checkKind(kind: string, field = 'kind'): DimensionKind {
  if (!(DIMENSION_KINDS as readonly string[]).includes(kind)) {
    throw new QueryArgumentError(
      field,
      `${kind === '' ? 'is required' : `unknown dimension kind ${JSON.stringify(kind)}`}: one of ${DIMENSION_KINDS.join(', ')}`,
    );
  }
  return kind as DimensionKind;
}

/** `all` (also for an empty string) or `<kind>:<value>` with a known kind and a non-empty value. */
export function checkDimension(dimension: string, field = 'dimension'): string {
  if (dimension === '' || dimension === DIMENSION_ALL) return DIMENSION_ALL;
  const colon = dimension.indexOf(':');
  const kind = colon < 0 ? dimension : dimension.slice(0, colon);
  if (colon < 0 || !(DIMENSION_KINDS as readonly string[]).includes(kind) || colon === dimension.length - 1) {
    throw new QueryArgumentError(
      field,
      `${JSON.stringify(dimension)} is not a dimension: "all" or <kind>:<value> with kind ${DIMENSION_KINDS.join(', ')} (e.g. "product:SKU-1")`,
    );
  }
  return dimension;
}

function checkGranularity(granularity: QueryGranularity | undefined, allowAuto: boolean): QueryGranularity {
  if (granularity === undefined || (granularity === 'auto' && !allowAuto)) {
    throw new QueryArgumentError(
      'granularity',
      `${granularity === 'auto' ? 'is required' : 'unknown value'}: GRANULARITY_MINUTE, GRANULARITY_HOUR or GRANULARITY_DAY${allowAuto ? ' (or GRANULARITY_UNSPECIFIED to cover the range automatically)' : ''}`,
    );
  }
  return granularity;
}

function checkWindowLimit(windows: number, limits: QueryLimits, what: string): void {
  if (windows > limits.maxWindows) {
    throw new QueryArgumentError(
      'to',
      `the range spans ${windows.toLocaleString('en')} ${what}, more than the ${limits.maxWindows.toLocaleString('en')} one query may read; narrow the range or use coarser windows`,
    );
  }
}

function planRange(input: RangeInput, limits: QueryLimits): RangePlan {
  const granularity = checkGranularity(input.granularity, true);
  const range = checkRange(input.from, input.to);
  const runs = runsFor(granularity, range);
  checkWindowLimit(windowCount(runs), limits, 'windows');
  return { runs, span: spanOf(runs) };
}

function checkPageSize(value: number, field: string, max: number, fallback: number): number {
  if (value === 0) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new QueryArgumentError(field, `must be 1 to ${max} (0 means ${fallback}), got ${value}`);
  }
  return value;
}

const HOUR = GRANULARITIES['1h'];

export function planSeries(input: SeriesInput, limits: QueryLimits): SeriesPlan {
  if (input.metric !== '' && input.metrics.length > 0) {
    throw new QueryArgumentError('metrics', 'set metric or metrics, not both');
  }
  const metrics =
    input.metrics.length > 0 ? checkMetricList(input.metrics, 'metrics') : [checkMetric(input.metric, 'metric')];
  const dimension = checkDimension(input.dimension);
  const granularity = checkGranularity(input.granularity, false) as Granularity;
  const range = checkRange(input.from, input.to);
  if (input.gapFill === undefined)
    throw new QueryArgumentError('gap_fill', 'unknown value: GAP_FILL_ABSENT or GAP_FILL_ZERO');
  const timeZone = resolveTimeZone(input.timeZone);
  const zoned = !isUtc(timeZone);
  if (zoned && granularity !== '1d') {
    throw new QueryArgumentError(
      'time_zone',
      'applies only to GRANULARITY_DAY (minute and hour windows are UTC windows)',
    );
  }
  const points = (windows: number) => {
    if (windows * metrics.length > limits.maxPoints) {
      throw new QueryArgumentError(
        'to',
        `the answer would hold ${windows.toLocaleString('en')} windows × ${metrics.length} metric(s) = ${(windows * metrics.length).toLocaleString('en')} points, more than the ${limits.maxPoints.toLocaleString('en')} per response; narrow the range, use coarser windows or fewer metrics`,
      );
    }
  };
  if (zoned) {
    // Local days are read as hour windows: bound the work before enumerating them.
    const hourLimit = (hours: number) =>
      checkWindowLimit(hours, limits, 'hour windows (local days are assembled from hours)');
    hourLimit(Math.ceil((range.to - range.from) / HOUR));
    const days = localDays(timeZone, range);
    const first = days[0];
    const last = days[days.length - 1];
    if (!first || !last) throw new Error('a range always overlaps a local day');
    hourLimit((last.end - first.start) / HOUR);
    points(days.length);
    return {
      dimension,
      metrics,
      granularity,
      gapFill: input.gapFill,
      timeZone,
      windows: days,
      read: { granularity: '1h', from: first.start, to: last.end },
      localDays: true,
    };
  }
  const run = windowRun(granularity, range);
  const count = windowCount([run]);
  checkWindowLimit(count, limits, 'windows');
  points(count);
  const size = GRANULARITIES[granularity];
  return {
    dimension,
    metrics,
    granularity,
    gapFill: input.gapFill,
    timeZone: 'UTC',
    windows: windowStarts(run).map((start) => ({ start, end: start + size })),
    read: run,
    localDays: false,
  };
}

export function planTop(input: TopInput, limits: QueryLimits): TopPlan {
  const kind = checkKind(input.kind);
  const metric = checkMetric(input.metric, 'metric');
  const k = checkPageSize(input.k, 'k', 100, 10);
  return { kind, metric, k, pageToken: input.pageToken, ...planRange(input, limits) };
}

export function planBreakdown(input: BreakdownInput, limits: QueryLimits): BreakdownPlan {
  const kind = checkKind(input.kind);
  const metrics = input.metrics.length > 0 ? checkMetricList(input.metrics, 'metrics') : [...METRICS];
  const pageSize = checkPageSize(input.pageSize, 'page_size', 1_000, 100);
  if (pageSize * metrics.length > limits.maxPoints) {
    throw new QueryArgumentError(
      'page_size',
      `${pageSize} rows × ${metrics.length} metrics = ${pageSize * metrics.length} values, more than the ${limits.maxPoints} per response; ask for fewer rows or metrics`,
    );
  }
  return { kind, metrics, pageSize, pageToken: input.pageToken, ...planRange(input, limits) };
}

export function planFunnel(input: FunnelInput, limits: QueryLimits): FunnelPlan {
  const kind = input.kind === '' ? undefined : checkKind(input.kind);
  const dimension = kind ? DIMENSION_ALL : checkDimension(input.dimension);
  const pageSize = checkPageSize(input.pageSize, 'page_size', 100, 10);
  return { dimension, kind, pageSize, pageToken: input.pageToken, ...planRange(input, limits) };
}

const DEFAULT_DISTINCT: readonly SketchMetric[] = ['unique_users', 'unique_sessions'];

export function planDistinct(input: DistinctInput, limits: QueryLimits): DistinctPlan {
  const metrics = checkMetricList(input.metrics, 'metrics').map((metric, index) => {
    if (!(SKETCH_METRICS as readonly string[]).includes(metric)) {
      throw new QueryArgumentError(
        `metrics[${index}]`,
        `${JSON.stringify(metric)} is not a distinct metric: one of ${SKETCH_METRICS.join(', ')}`,
      );
    }
    return metric as SketchMetric;
  });
  const dimension = checkDimension(input.dimension);
  return {
    dimension,
    metrics: metrics.length > 0 ? metrics : [...DEFAULT_DISTINCT],
    ...planRange(input, limits),
  };
}
