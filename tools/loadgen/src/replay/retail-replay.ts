import { type ScheduledEvent } from '../run/load-run.js';
import { isoTime } from '../time/iso-time.js';
import { readCsvFile, type CsvRecord } from './csv-reader.js';
import { type ReplayClock } from './replay-clock.js';
import {
  readRetailLine,
  ReplayFormatError,
  retailColumns,
  type BadLineReason,
  type RetailLine,
  type RetailLineOptions,
} from './retail-line.js';

export interface ReplayStats {
  /** data lines read (the header not counted) */
  lines: number;
  purchases: number;
  refunds: number;
  badLines: number;
  badByReason: Partial<Record<BadLineReason, number>>;
  /** the first few bad lines, to show the user */
  badExamples: Array<{ line: number; reason: BadLineReason; detail: string }>;
  /** earliest and latest InvoiceDate instants of the readable lines */
  firstInstant?: number;
  lastInstant?: number;
}

const MAX_BAD_EXAMPLES = 10;

export function emptyReplayStats(): ReplayStats {
  return { lines: 0, purchases: 0, refunds: 0, badLines: 0, badByReason: {}, badExamples: [] };
}

/**
 * The readable lines of a retail CSV in file order; bad lines are counted in `stats` (with the
 * first few as examples) and skipped, never thrown. Throws ReplayFormatError only when the header
 * lacks a required column. `limit` stops after that many data lines.
 */
export async function* retailLines(
  records: AsyncIterable<CsvRecord> | Iterable<CsvRecord>,
  options: RetailLineOptions,
  stats: ReplayStats = emptyReplayStats(),
  limit = Number.POSITIVE_INFINITY,
): AsyncGenerator<RetailLine> {
  let columns;
  for await (const record of records) {
    if (columns === undefined) {
      columns = retailColumns(record.fields);
      continue;
    }
    if (stats.lines >= limit) return;
    stats.lines += 1;
    const result = readRetailLine(record, columns, options);
    if (!result.ok) {
      stats.badLines += 1;
      stats.badByReason[result.reason] = (stats.badByReason[result.reason] ?? 0) + 1;
      if (stats.badExamples.length < MAX_BAD_EXAMPLES) {
        stats.badExamples.push({ line: result.line, reason: result.reason, detail: result.detail });
      }
      continue;
    }
    const { line } = result;
    if (line.kind === 'refund') stats.refunds += 1;
    else stats.purchases += 1;
    stats.firstInstant = Math.min(stats.firstInstant ?? line.invoiceTime, line.invoiceTime);
    stats.lastInstant = Math.max(stats.lastInstant ?? line.invoiceTime, line.invoiceTime);
    yield line;
  }
  if (columns === undefined) throw new ReplayFormatError('the CSV file is empty: no header line');
}

/** The replay's events with the clock's occurred_at and due time. */
export async function* scheduleLines(
  lines: AsyncIterable<RetailLine>,
  clock: ReplayClock,
): AsyncGenerator<ScheduledEvent> {
  for await (const line of lines) {
    yield {
      event: { ...line.event, occurred_at: isoTime(clock.occurredAt(line.invoiceTime)) },
      dueAt: clock.dueAt(line.invoiceTime),
    };
  }
}

export interface RetailFileOptions extends RetailLineOptions {
  file: string;
  encoding: BufferEncoding;
  /** stop after this many data lines */
  limit?: number;
}

/** Reads the file once without sending, for the dataset's last instant (`end-now`) and a bad-line count. */
export async function scanRetailFile(options: RetailFileOptions, signal?: AbortSignal): Promise<ReplayStats> {
  const stats = emptyReplayStats();
  for await (const line of retailLines(
    readCsvFile(options.file, options.encoding, signal),
    options,
    stats,
    options.limit,
  )) {
    void line;
  }
  return stats;
}

/** The file's lines as scheduled events, streaming; `stats` fills in as they are read. */
export function replayRetailFile(
  options: RetailFileOptions,
  clock: ReplayClock,
  stats: ReplayStats,
  signal?: AbortSignal,
): AsyncGenerator<ScheduledEvent> {
  const records = readCsvFile(options.file, options.encoding, signal);
  return scheduleLines(retailLines(records, options, stats, options.limit), clock);
}
