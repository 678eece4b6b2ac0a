/**
 * `loadgen` — shop traffic for the ingest gateway: `simulate` (seeded shoppers, src/simulator/)
 * or `replay` (a retail CSV, src/replay/), sent over HTTP batches or the gRPC stream
 * (src/sender/) by the pump in src/run/. This file only wires them: arguments, signals,
 * the progress line and the exit status. `loadgen --help` has the options.
 */
import { IngestClient } from '@pulse/client';

import { access, constants } from 'node:fs/promises';
import currencyCodes from 'currency-codes';

import {
  parseLoadgenArgs,
  USAGE,
  UsageError,
  type ReplayCommand,
  type SendOptions,
  type SimulateCommand,
} from './cli/loadgen-options.js';
import { ReplayClock } from './replay/replay-clock.js';
import { ReplayFormatError } from './replay/retail-line.js';
import { emptyReplayStats, replayRetailFile, scanRetailFile, type ReplayStats } from './replay/retail-replay.js';
import { LoadRun, type ScheduledEvent } from './run/load-run.js';
import {
  formatProgress,
  formatProgressJson,
  formatSummary,
  type ProgressSample,
  type RunSummary,
} from './run/progress-report.js';
import { simulatedSchedule } from './run/simulated-source.js';
import { GrpcStreamSender } from './sender/grpc-stream-sender.js';
import { HttpBatchSender, probeHttpTarget } from './sender/http-batch-sender.js';
import { NdjsonPrinter } from './sender/ndjson-printer.js';
import { type EventSender } from './sender/send-stats.js';
import { DEFAULT_SEASONALITY, FLAT_SEASONALITY } from './simulator/seasonality.js';
import { ShopTraffic } from './simulator/shop-traffic.js';
import { type EventMeta, type WireEvent } from './simulator/simulated-event.js';

/** A problem to report in one line (exit 1), not a crash with a stack trace. */
class RunError extends Error {}

const say = (line: string) => process.stderr.write(`${line}\n`);

interface Source {
  events: AsyncIterable<ScheduledEvent> | Iterable<ScheduledEvent>;
  /** counters for the progress line */
  progress: () => Record<string, number>;
  /** what the source produced, for the summary */
  summary: () => Record<string, unknown>;
  metaOf?: (event: WireEvent) => EventMeta | undefined;
  /** stream time of the last event taken (simulate), for --progress-json */
  streamTime?: () => number | undefined;
}

function simulateSource(command: SimulateCommand): Source {
  const now = Date.now();
  const durationMs = command.duration === undefined ? undefined : command.duration * 1000;
  // A backfill is the last --duration seconds, generated at once; a live run starts now.
  const start = command.backfill && durationMs !== undefined ? now - durationMs : now;
  let traffic: ShopTraffic;
  try {
    traffic = new ShopTraffic({
      seed: command.seed,
      start,
      rate: command.rate,
      runId: command.runId,
      seasonality: command.flat ? FLAT_SEASONALITY : DEFAULT_SEASONALITY,
      timeZone: command.timeZone,
      catalogue: { size: command.products, zipfExponent: command.zipf },
      dirtyFraction: command.dirty,
      unusableShare: command.unusableShare,
      duplicateFraction: command.duplicates,
      lateFraction: command.late,
      maxLatenessMs: command.maxLatenessMs,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const metas = new WeakMap<WireEvent, EventMeta>();
  let streamTime: number | undefined;
  return {
    events: simulatedSchedule(traffic, {
      until: durationMs === undefined ? undefined : start + durationMs,
      backfill: command.backfill,
      onEvent: ({ event, meta }) => {
        streamTime = meta.emitAt;
        if (command.meta) metas.set(event, meta);
      },
    }),
    streamTime: () => streamTime,
    progress: () => ({}),
    summary: () => ({ runId: traffic.config.runId, seed: command.seed, ...traffic.stats() }),
    metaOf: command.meta ? (event) => metas.get(event) : undefined,
  };
}

async function replaySource(command: ReplayCommand): Promise<Source> {
  const currency = currencyCodes.code(command.currency);
  if (!currency || !Number.isInteger(currency.digits))
    throw new UsageError(`--currency ${command.currency} is not an ISO 4217 currency`);
  try {
    await access(command.file, constants.R_OK);
  } catch (error) {
    throw new RunError(
      `cannot read ${command.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const options = {
    file: command.file,
    encoding: command.encoding,
    limit: command.limit,
    currency: command.currency,
    currencyExponent: currency.digits,
    dateFormat: command.dateFormat,
    timeZone: command.timeZone,
    idPrefix: command.idPrefix,
  };
  let lastInstant: number | undefined;
  if (command.times === 'end-now') {
    say(`reading ${command.file} once for its last InvoiceDate…`);
    lastInstant = (await scanRetailFile(options)).lastInstant;
    if (lastInstant === undefined) throw new RunError(`${command.file} has no readable line`);
  }
  const clock = new ReplayClock({ pacing: command.pacing, times: command.times, startedAt: Date.now(), lastInstant });
  const stats: ReplayStats = emptyReplayStats();
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  return {
    events: replayRetailFile(options, clock, stats),
    progress: () => ({ lines: stats.lines, 'bad lines': stats.badLines }),
    summary: () => ({
      lines: stats.lines,
      purchases: stats.purchases,
      refunds: stats.refunds,
      badLines: stats.badLines,
      badByReason: stats.badByReason,
      badExamples: stats.badExamples,
      firstInvoiceDate: iso(stats.firstInstant),
      lastInvoiceDate: iso(stats.lastInstant),
    }),
  };
}

async function createSender(
  command: SendOptions,
  abort: AbortSignal,
  metaOf?: Source['metaOf'],
): Promise<{ sender: EventSender; close: () => void }> {
  if (command.print) return { sender: new NdjsonPrinter(process.stdout, metaOf), close: () => undefined };
  if (command.transport === 'http') {
    const problem = await probeHttpTarget(command.target, command.apiKey);
    if (problem) throw new RunError(problem);
    return {
      sender: new HttpBatchSender({
        url: command.target,
        apiKey: command.apiKey,
        gzip: command.gzip,
        signal: abort,
        traceEveryMs: command.traceEvery === undefined ? undefined : command.traceEvery * 1000,
        // One JSON line per traced purchase, for a wrapping process (the demo links its trace).
        onTraced: (traced) => process.stderr.write(`${JSON.stringify({ traced })}\n`),
      }),
      close: () => undefined,
    };
  }
  const client = new IngestClient({ address: command.target, apiKey: command.apiKey, deadlineMs: 30_000 });
  try {
    await client.ingest([], 5_000);
  } catch (error) {
    const code = (error as { code?: number }).code;
    const reason = ((error as { details?: string }).details ?? (error as Error).message).replace(
      /\s*Resolution note:.*$/s,
      '',
    );
    // 14 UNAVAILABLE, 4 DEADLINE_EXCEEDED: nobody answered; 16/7: the key was refused. Anything else answered.
    if (code === 14 || code === 4) {
      client.close();
      throw new RunError(`cannot reach the gRPC ingest service at ${command.target}: ${reason}`);
    }
    if (code === 16 || code === 7) {
      client.close();
      throw new RunError(`${command.target} refused the API key: ${reason}`);
    }
  }
  return { sender: new GrpcStreamSender({ client, signal: abort }), close: () => client.close() };
}

async function main(): Promise<number> {
  const command = parseLoadgenArgs(process.argv.slice(2), process.env);
  if (command.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const stop = new AbortController();
  const abort = new AbortController();
  const onSignal = () => {
    if (!stop.signal.aborted) {
      stop.abort();
      say('\nstopping: no new events; sending what is in flight (Ctrl-C again to abort)');
    } else abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    // The reader of --print went away (e.g. `| head`): nothing left to do.
    if (error.code === 'EPIPE') process.exit(0);
  });

  const source = command.command === 'simulate' ? simulateSource(command) : await replaySource(command);
  const { sender, close } = await createSender(command, abort.signal, source.metaOf);
  const startedAt = Date.now();
  const sample = (): ProgressSample => ({
    elapsedMs: Date.now() - startedAt,
    send: { ...sender.stats },
    source: source.progress(),
  });
  const inPlace = process.stderr.isTTY === true && !command.progressJson;
  let previous: ProgressSample | undefined;
  const ticker = setInterval(() => {
    const current = sample();
    if (command.progressJson) process.stderr.write(`${formatProgressJson(current, source.streamTime?.())}\n`);
    else {
      const line = formatProgress(current, previous, command.print);
      process.stderr.write(inPlace ? `\r\u001b[2K${line}` : `${line}\n`);
    }
    previous = current;
  }, 1_000);
  if (command.quiet) clearInterval(ticker);

  let result;
  try {
    result = await new LoadRun(source.events, sender, {
      batchSize: command.batchSize,
      concurrency: command.concurrency,
      lingerMs: 200,
      maxRate: command.maxRate,
      signal: stop.signal,
    }).run();
  } finally {
    clearInterval(ticker);
    if (inPlace && !command.quiet && previous) process.stderr.write('\n');
    close();
  }
  const failed = result.fatal !== undefined || sender.stats.failed > 0;
  const summary: RunSummary = {
    command: command.command,
    target: command.print ? 'stdout' : command.target,
    elapsedMs: Date.now() - startedAt,
    send: sender.stats,
    source: source.summary(),
    interrupted: result.interrupted,
    fatal: result.fatal?.message,
    exitCode: failed ? 1 : 0,
  };
  say(formatSummary(summary, command.print));
  if (command.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  return summary.exitCode;
}

main().then(
  (code) => {
    process.exitCode = code;
    // Keep-alive sockets and gRPC channels must not hold the process once the summary is out.
    process.stdout.write('', () => process.exit(code));
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      say(`loadgen: ${error.message}\n(loadgen --help lists the commands and options)`);
      process.exit(2);
    }
    if (error instanceof RunError || error instanceof ReplayFormatError) say(`loadgen: ${error.message}`);
    else say(`loadgen: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
