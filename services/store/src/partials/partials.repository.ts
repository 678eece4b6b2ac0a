import {
  DIMENSION_ALL,
  dimensionKind,
  GRANULARITIES,
  SKETCH_METRICS,
  SUM_METRICS,
  windowStart,
  type DimensionKind,
  type Granularity,
  type Metric,
  type SketchMetric,
  type SumMetric,
  type WindowPartialV1,
} from '@pulse/contracts';

import { Inject, Injectable } from '@nestjs/common';

import { CassandraClient } from '../cassandra/cassandra.client.js';
import { bucketOf, bucketsBetween, ttlSeconds } from '../schema/buckets.js';
import { STORE_CONFIG, type StoreConfig } from '../store.config.js';
import { mapConcurrent } from './concurrent-map.js';
import {
  isSketchMetric,
  isSumMetric,
  KeyedTotals,
  metricValue,
  TotalsAccumulator,
  type DimensionTotals,
  type PartialState,
  type Totals,
  type WindowTotals,
} from './partial-merge.js';
import { partialState, partialValues, VALUE_COLUMNS, type CqlRow } from './partial-row.js';
import { timedWrite } from './write-metrics.js';
import { partialRowKey, WrittenVersions } from './written-versions.js';

const VALUES = VALUE_COLUMNS.join(', ');
const VALUE_MARKERS = VALUE_COLUMNS.map(() => '?').join(', ');
const INSERT_SERIES = `INSERT INTO series_partials (tenant, granularity, dimension, bucket, window_start, partition, ${VALUES})
  VALUES (?, ?, ?, ?, ?, ?, ${VALUE_MARKERS}) USING TIMESTAMP ? AND TTL ?`;
const INSERT_DIMENSION = `INSERT INTO dimension_partials (tenant, granularity, kind, window_start, dimension, partition, ${VALUES})
  VALUES (?, ?, ?, ?, ?, ?, ${VALUE_MARKERS}) USING TIMESTAMP ? AND TTL ?`;

/** Rows per page of a read that fetches sketches (up to ~2 KiB each) … */
const FETCH_SIZE = 1_000;
/** … and of one that fetches only sums (a few dozen bytes a row): a day of minutes in 2–3 pages. */
const SUMS_FETCH_SIZE = 10_000;
/** The driver's per-read timeout when the caller gives no deadline (the session's default). */
const READ_TIMEOUT_MS = 12_000;
/** Cassandra partitions one read fetches at a time (day buckets of a series, windows of a breakdown). */
const READ_CONCURRENCY = 8;
/** A cached window is dropped this long before its first row's TTL runs out (clock skew, rounding). */
const TTL_MARGIN_MS = 60_000;
/** A breakdown reads one partition per window: refuse ranges that would fan out further. */
export const MAX_DIMENSION_WINDOWS = 50_000;

export interface SeriesPoint {
  windowStart: number;
  value: number;
}

/** How a read may be stopped: no Cassandra read starts after `signal` aborted. */
export interface ReadOptions {
  /** Aborted when the query's deadline passed or its caller left. */
  signal?: AbortSignal;
  /** Epoch ms by which the caller needs the answer: each read's driver timeout is capped to it. */
  deadline?: number;
}

/** A read that needs only some metrics fetches only their columns. */
export interface ColumnReadOptions extends ReadOptions {
  /** Metrics to fetch (default: every one); the others read as 0 and the empty sketch. */
  metrics?: readonly Metric[];
}

/** Consecutive windows of one size, [from, to) aligned to it. */
export interface WindowSpan {
  granularity: Granularity;
  from: number;
  to: number;
}

/** One window of one size. */
export interface WindowRef {
  granularity: Granularity;
  start: number;
}

/** Sums of one window added over partitions (by Cassandra: see `windowSums`). */
export interface WindowSums {
  windowStart: number;
  metrics: Partial<Record<SumMetric, number>>;
  /** Every partial of the window was its partition's final emission. */
  closed: boolean;
  /** Partition partials added. */
  partials: number;
  /** The highest partition number among them (with `partials`, tells whether every partition wrote). */
  topPartition: number;
  /** Epoch ms from which the first of the window's rows may have expired (its TTL ran out). */
  expiresAt: number;
}

/** What `upsert` did: `skipped` when this process already wrote the same or a newer version. */
export type UpsertOutcome = 'written' | 'skipped';

/**
 * The store's tables (docs/storage.md): writes window partials with their version as the write
 * timestamp, and reads them back merged over partitions (and windows) — sums added, distinct
 * sketches unioned. Ranges are [from, to) in epoch ms and select the windows that overlap them
 * (window start in [start of the window holding `from`, to)).
 */
@Injectable()
export class PartialsRepository {
  private readonly written: WrittenVersions;

  constructor(
    private readonly cassandra: CassandraClient,
    @Inject(STORE_CONFIG) private readonly config: StoreConfig,
  ) {
    this.written = new WrittenVersions(config.PULSE_STORE_VERSION_CACHE_ROWS);
  }

  /**
   * Upserts one full-state partial — into `series_partials`, and into `dimension_partials` unless
   * its dimension is `all` — with its version as the write timestamp: Cassandra keeps the cell
   * with the highest timestamp, so an older partial arriving late can never overwrite a newer
   * one, and a redelivered one rewrites identical values. Throws when Cassandra fails (the caller
   * retries; both statements are idempotent).
   */
  async upsert(partial: WindowPartialV1): Promise<UpsertOutcome> {
    const key = partialRowKey(partial);
    if (this.written.covers(key, partial.version, partial.closed)) return 'skipped';
    const { tenant, granularity, dimension, partition, version } = partial;
    const start = new Date(partial.window_start);
    const values = partialValues(partial);
    const ttl = ttlSeconds(granularity, this.config.PULSE_STORE_MINUTE_TTL_DAYS);
    const options = { prepare: true, isIdempotent: true };
    const session = this.cassandra.session;
    const bucket = bucketOf(partial.window_start, granularity);
    const writes = [
      timedWrite('series_partials', () =>
        session.execute(
          INSERT_SERIES,
          [tenant, granularity, dimension, bucket, start, partition, ...values, version, ttl],
          options,
        ),
      ),
    ];
    if (dimension !== DIMENSION_ALL) {
      writes.push(
        timedWrite('dimension_partials', () =>
          session.execute(
            INSERT_DIMENSION,
            [tenant, granularity, dimensionKind(dimension), start, dimension, partition, ...values, version, ttl],
            options,
          ),
        ),
      );
    }
    await Promise.all(writes);
    this.written.record(key, version, partial.closed);
    return 'written';
  }

  /**
   * Per window of one dimension, sums only, added over partitions by Cassandra
   * (`GROUP BY window_start`): one row per window crosses the wire instead of one per partition —
   * a day of minute windows is 1,440 rows rather than ~23,000, about half the time of `windows`.
   * Sketches cannot be unioned in CQL; reads that need them use `windows`.
   */
  async windowSums(
    tenant: string,
    granularity: Granularity,
    dimension: string,
    metrics: readonly SumMetric[],
    from: number,
    to: number,
    options: ReadOptions = {},
  ): Promise<WindowSums[]> {
    const alignedFrom = windowStart(from, granularity);
    const query = windowSumsQuery(metrics, 'window_start >= ? AND window_start < ?');
    const byWindow = new Map<number, WindowSums>();
    const began = Date.now();
    await mapConcurrent(bucketsBetween(alignedFrom, to, granularity), READ_CONCURRENCY, (bucket) =>
      this.eachRow(
        query,
        [tenant, granularity, dimension, bucket, new Date(alignedFrom), new Date(to)],
        (row) => addWindowSums(byWindow, row, metrics, began),
        SUMS_FETCH_SIZE,
        options,
      ),
    );
    return [...byWindow.values()].sort((a, b) => a.windowStart - b.windowStart);
  }

  /** Every row of one series over the range, reduced to partition, `events` and `closed`. */
  async partitionEvents(
    tenant: string,
    granularity: Granularity,
    dimension: string,
    from: number,
    to: number,
    options: ReadOptions = {},
  ): Promise<Array<{ windowStart: number; partition: number; events: number; closed: boolean }>> {
    const alignedFrom = windowStart(from, granularity);
    const query = `SELECT window_start, partition, closed, events FROM series_partials
      WHERE tenant = ? AND granularity = ? AND dimension = ? AND bucket = ? AND window_start >= ? AND window_start < ?`;
    const rows: Array<{ windowStart: number; partition: number; events: number; closed: boolean }> = [];
    await mapConcurrent(bucketsBetween(alignedFrom, to, granularity), READ_CONCURRENCY, (bucket) =>
      this.eachRow(
        query,
        [tenant, granularity, dimension, bucket, new Date(alignedFrom), new Date(to)],
        (row) => {
          const state = partialState(row, ['events'], []);
          rows.push({
            windowStart: (row.get('window_start') as Date).getTime(),
            partition: row.get('partition') as number,
            events: state.metrics.events ?? 0,
            closed: state.closed,
          });
        },
        SUMS_FETCH_SIZE,
        options,
      ),
    );
    return rows;
  }

  /** Per window of one dimension: every metric summed and every sketch unioned over partitions. */
  async windows(
    tenant: string,
    granularity: Granularity,
    dimension: string,
    from: number,
    to: number,
    options: ColumnReadOptions = {},
  ): Promise<WindowTotals[]> {
    const byWindow = new KeyedTotals<number>();
    const [sums, sketches] = columnsOf(options.metrics);
    await this.readSeries(
      tenant,
      granularity,
      dimension,
      from,
      to,
      sums,
      sketches,
      (start, state) => byWindow.add(start, state),
      options,
    );
    return byWindow.entries((a, b) => a - b).map(([start, totals]) => ({ windowStart: start, ...totals }));
  }

  /**
   * One dimension merged over every window of several spans (e.g. the days, hours and minutes
   * that cover a range) and their partitions: sums added, sketches unioned.
   */
  async spanTotals(
    tenant: string,
    dimension: string,
    spans: readonly WindowSpan[],
    options: ColumnReadOptions = {},
  ): Promise<Totals> {
    const union = new TotalsAccumulator();
    const [sums, sketches] = columnsOf(options.metrics);
    await Promise.all(
      spans.map((span) =>
        this.readSeries(
          tenant,
          span.granularity,
          dimension,
          span.from,
          span.to,
          sums,
          sketches,
          (_, state) => union.add(state),
          options,
        ),
      ),
    );
    return union.totals();
  }

  /** Distinct count of one sketch metric over the whole range: union over windows and partitions. */
  async distinct(
    tenant: string,
    granularity: Granularity,
    dimension: string,
    metric: SketchMetric,
    from: number,
    to: number,
    options: ReadOptions = {},
  ): Promise<number> {
    const union = new TotalsAccumulator();
    await this.readSeries(
      tenant,
      granularity,
      dimension,
      from,
      to,
      [],
      [metric],
      (_, state) => union.add(state),
      options,
    );
    return union.totals().distinct[metric];
  }

  /**
   * One metric of one series, per window: the sum over partitions, or for a sketch metric the
   * window's distinct count. Windows without data are left out.
   */
  async series(
    tenant: string,
    granularity: Granularity,
    dimension: string,
    metric: Metric,
    from: number,
    to: number,
    options: ReadOptions = {},
  ): Promise<SeriesPoint[]> {
    const sketch = isSketchMetric(metric);
    const byWindow = new KeyedTotals<number>();
    await this.readSeries(
      tenant,
      granularity,
      dimension,
      from,
      to,
      sketch ? [] : [metric],
      sketch ? [metric] : [],
      (start, state) => byWindow.add(start, state),
      options,
    );
    return byWindow
      .entries((a, b) => a - b)
      .map(([start, totals]) => ({ windowStart: start, value: metricValue(totals, metric) }));
  }

  /**
   * Every dimension of one kind over the windows of the range (breakdowns, top-N): metrics summed
   * and sketches unioned over partitions and windows, sorted by dimension. Reads one
   * `dimension_partials` partition per window, a few at a time, paged.
   */
  async dimensions(
    tenant: string,
    granularity: Granularity,
    kind: DimensionKind,
    from: number,
    to: number,
    options: ColumnReadOptions = {},
  ): Promise<DimensionTotals[]> {
    const size = GRANULARITIES[granularity];
    const windows: WindowRef[] = [];
    for (let start = windowStart(from, granularity); start < to; start += size) {
      if (windows.length >= MAX_DIMENSION_WINDOWS) {
        throw new RangeError(`a breakdown reads at most ${MAX_DIMENSION_WINDOWS} windows; narrow the range`);
      }
      windows.push({ granularity, start });
    }
    return this.dimensionsOf(tenant, kind, windows, options);
  }

  /**
   * Every dimension of one kind merged over the given windows (of any sizes) and partitions,
   * sorted by dimension. One `dimension_partials` partition per window, a few at a time, paged.
   */
  async dimensionsOf(
    tenant: string,
    kind: DimensionKind,
    windows: readonly WindowRef[],
    options: ColumnReadOptions = {},
  ): Promise<DimensionTotals[]> {
    if (windows.length > MAX_DIMENSION_WINDOWS) {
      throw new RangeError(`a breakdown reads at most ${MAX_DIMENSION_WINDOWS} windows; narrow the range`);
    }
    const [sums, sketches] = columnsOf(options.metrics);
    const byDimension = new KeyedTotals<string>();
    const query = `SELECT ${['dimension', 'closed', ...sums, ...sketches].join(', ')} FROM dimension_partials
      WHERE tenant = ? AND granularity = ? AND kind = ? AND window_start = ?`;
    const fetchSize = sketches.length > 0 ? FETCH_SIZE : SUMS_FETCH_SIZE;
    await mapConcurrent(windows, READ_CONCURRENCY, ({ granularity, start }) =>
      this.eachRow(
        query,
        [tenant, granularity, kind, new Date(start)],
        (row) => {
          const dimension = row.get('dimension') as string;
          readingRow(
            () => `dimension_partials ${tenant}/${granularity}/${dimension} window ${new Date(start).toISOString()}`,
            () => byDimension.add(dimension, partialState(row, sums, sketches)),
          );
        },
        fetchSize,
        options,
      ),
    );
    return byDimension
      .entries((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([dimension, totals]) => ({ dimension, ...totals }));
  }

  /** Rows of one series over the range, from each day (or month, year) bucket it touches. */
  private async readSeries(
    tenant: string,
    granularity: Granularity,
    dimension: string,
    from: number,
    to: number,
    metrics: readonly SumMetric[],
    sketches: readonly SketchMetric[],
    onRow: (windowStart: number, state: PartialState) => void,
    options: ReadOptions = {},
  ): Promise<void> {
    const alignedFrom = windowStart(from, granularity);
    const columns = ['window_start', 'closed', ...metrics, ...sketches].join(', ');
    const query = `SELECT ${columns} FROM series_partials
      WHERE tenant = ? AND granularity = ? AND dimension = ? AND bucket = ? AND window_start >= ? AND window_start < ?`;
    const fetchSize = sketches.length > 0 ? FETCH_SIZE : SUMS_FETCH_SIZE;
    await mapConcurrent(bucketsBetween(alignedFrom, to, granularity), READ_CONCURRENCY, (bucket) =>
      this.eachRow(
        query,
        [tenant, granularity, dimension, bucket, new Date(alignedFrom), new Date(to)],
        (row) => {
          const start = (row.get('window_start') as Date).getTime();
          readingRow(
            () => `series_partials ${tenant}/${granularity}/${dimension} window ${new Date(start).toISOString()}`,
            () => onRow(start, partialState(row, metrics, sketches)),
          );
        },
        fetchSize,
        options,
      ),
    );
  }

  /**
   * Runs a paged read. Before each page it checks the caller's signal — a query whose deadline
   * passed or whose caller left issues no further reads — and caps the driver's read timeout to
   * the time left, so a read never outlives the deadline by more than the driver's own margin.
   */
  private async eachRow(
    query: string,
    params: unknown[],
    onRow: (row: CqlRow) => void,
    fetchSize = FETCH_SIZE,
    options: ReadOptions = {},
  ): Promise<void> {
    let pageState: string | undefined;
    do {
      options.signal?.throwIfAborted();
      const left = options.deadline === undefined ? READ_TIMEOUT_MS : options.deadline - Date.now();
      const result = await this.cassandra.session.execute(query, params, {
        prepare: true,
        isIdempotent: true,
        fetchSize,
        pageState,
        readTimeout: Math.max(1, Math.min(READ_TIMEOUT_MS, left)),
      });
      for (const row of result.rows) onRow(row);
      pageState = result.pageState ?? undefined;
    } while (pageState);
  }
}

/**
 * Sums of one series per window, added over partitions by Cassandra, with what tells whether the
 * window is settled (every partition wrote it closed) and when its first row expires.
 */
function windowSumsQuery(metrics: readonly SumMetric[], windows: string): string {
  const sums = metrics.map((metric) => `, sum(${metric}) AS ${metric}`).join('');
  return `SELECT window_start, min(closed) AS closed, count(*) AS partials, max(partition) AS top_partition,
      min(ttl(closed)) AS ttl${sums}
    FROM series_partials
    WHERE tenant = ? AND granularity = ? AND dimension = ? AND bucket = ? AND ${windows}
    GROUP BY window_start`;
}

function addWindowSums(byWindow: Map<number, WindowSums>, row: CqlRow, metrics: readonly SumMetric[], began: number) {
  const start = (row.get('window_start') as Date).getTime();
  const state = partialState(row, metrics, []);
  // Remaining seconds when the read began; null for a row written without TTL (never expires).
  const ttl = row.get('ttl') as number | null;
  byWindow.set(start, {
    windowStart: start,
    metrics: state.metrics,
    closed: state.closed,
    partials: Number(String(row.get('partials'))), // count(*) comes back as a Long
    topPartition: row.get('top_partition') as number,
    expiresAt: ttl === null ? Number.POSITIVE_INFINITY : began + ttl * 1000 - TTL_MARGIN_MS,
  });
}

/** The sum and sketch columns to fetch for some metrics (all when none are named). */
function columnsOf(metrics: readonly Metric[] | undefined): [SumMetric[], SketchMetric[]] {
  if (!metrics) return [[...SUM_METRICS], [...SKETCH_METRICS]];
  return [metrics.filter((metric) => isSumMetric(metric)), metrics.filter((metric) => isSketchMetric(metric))];
}

/** A row that cannot be merged (an undecodable sketch) fails the read, naming the row. */
function readingRow(row: () => string, merge: () => void): void {
  try {
    merge();
  } catch (error) {
    // The row's name is built only on failure: a day of minute windows is ~23,000 rows per read.
    throw new Error(`cannot merge ${row()}: ${(error as Error).message}`, { cause: error });
  }
}
