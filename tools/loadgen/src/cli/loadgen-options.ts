import { parseArgs } from 'node:util';

import { InvoiceDateFormat } from '../replay/invoice-date.js';
import { type ReplayPacing, type ReplayTimes } from '../replay/replay-clock.js';
import { TimeZone } from '../time/time-zone.js';

export const USAGE = `loadgen — shop traffic for Pulse's ingest gateway

Usage:
  loadgen simulate [options]           simulated shoppers, live or as a backfill
  loadgen replay --file F [options]    the order lines of a retail CSV as purchases and refunds
  loadgen --help

Where to send (both commands)                                              default
  --target URL          http: the gateway's base URL or its /v1/events     http://127.0.0.1:8080
                        grpc: host:port of IngestService                   127.0.0.1:50050
                        (or PULSE_LOADGEN_TARGET)
  --api-key KEY         the tenant's API key (or PULSE_LOADGEN_API_KEY)
  --transport T         http (JSON batches) or grpc (client stream)        http
  --batch-size N        events per request, 1–1000                         250
  --concurrency N       requests in flight                                 4
  --gzip                compress HTTP bodies
  --trace-every S       http: every S seconds send one purchase alone with a
                        sampled W3C traceparent and report its trace id on
                        stderr (a JSON line {"traced": {...}})
  --max-rate N          never more than N events/s (token bucket)
  --print               write the events to stdout as NDJSON, send nothing
  --json                also print the summary as JSON on stdout
  --quiet               no progress line (it goes to stderr every second)
  --progress-json       the progress line as one JSON object per second (for a
                        wrapping process: counts and, for simulate, stream time)

simulate
  --rate N              mean events/s over a week; hour and weekday scale it 100
  --duration S          seconds to run                                     until Ctrl-C
  --seed N              same seed, same shoppers                           1
  --dirty F             share of events that are dirty                     0
  --unusable-share F    share of the dirty ones no cleaning rule repairs   0.5
  --duplicates F        share of the stream re-sending an event id         0
  --late F              share of events sent after their time              0
  --max-lateness S      how late a late event is at most, seconds          120
  --flat                no daily or weekly shape: --rate all the time
  --time-zone ZONE      the shop's IANA zone (when its evenings are)       UTC
  --products N          catalogue size                                     500
  --zipf S              popularity: the product of rank r ∝ 1/r^S          1
  --run-id ID           prefix of event, session and order ids             seed-start
  --backfill            the last --duration seconds, as fast as they can be sent
  --meta                with --print: lines are {"event": …, "meta": …}

replay
  --file PATH           CSV with the columns InvoiceNo, StockCode, Description, Quantity,
                        InvoiceDate, UnitPrice, CustomerID, Country (named in a header line)
  --currency CODE       ISO 4217 currency of UnitPrice                     GBP
  --date-format F       tokens YYYY M MM D DD H HH mm ss SSS, or iso       M/D/YYYY H:mm
  --time-zone ZONE      IANA zone InvoiceDate is written in                UTC
  --speed N             N times faster than it happened (60: an hour a minute)
  --backfill            as fast as it can be sent                          (default)
  --end-now             shift all times so the last line happened now
  --live                with --speed: stamp each line with the time it is sent
  --id-prefix P         prefix the event ids, to replay a file again as new events
  --encoding E          utf8 or latin1                                     utf8
  --limit N             stop after N lines

Exit status: 0 all sent, 1 events failed or sending could not work, 2 usage error.
Ctrl-C stops taking new events, sends what is in flight and prints the summary; twice aborts.

Examples:
  loadgen simulate --api-key $KEY --rate 500 --duration 60 --seed 42 \\
                   --dirty 0.02 --duplicates 0.01 --late 0.01
  loadgen simulate --transport grpc --api-key $KEY --rate 2000 --flat
  loadgen simulate --print --meta --backfill --duration 600 > events.ndjson
  loadgen replay --file online-retail.csv --api-key $KEY --time-zone Europe/London --end-now
  loadgen replay --file online-retail.csv --api-key $KEY --time-zone Europe/London \\
                 --speed 3600 --live`;

export class UsageError extends Error {}

export interface SendOptions {
  target: string;
  apiKey: string;
  transport: 'http' | 'grpc';
  batchSize: number;
  concurrency: number;
  gzip: boolean;
  /** seconds between purchases sent with their own sampled trace context (http only) */
  traceEvery?: number;
  maxRate?: number;
  print: boolean;
  json: boolean;
  quiet: boolean;
  /** progress on stderr as JSON lines instead of the human line */
  progressJson: boolean;
}

export interface SimulateCommand extends SendOptions {
  command: 'simulate';
  rate: number;
  /** seconds */
  duration?: number;
  seed: number;
  dirty: number;
  unusableShare: number;
  duplicates: number;
  late: number;
  maxLatenessMs: number;
  flat: boolean;
  timeZone: string;
  products: number;
  zipf: number;
  runId?: string;
  backfill: boolean;
  meta: boolean;
}

export interface ReplayCommand extends SendOptions {
  command: 'replay';
  file: string;
  currency: string;
  dateFormat: InvoiceDateFormat;
  timeZone: TimeZone;
  pacing: ReplayPacing;
  times: ReplayTimes;
  idPrefix: string;
  encoding: 'utf8' | 'latin1';
  limit?: number;
}

export type LoadgenCommand = SimulateCommand | ReplayCommand | { command: 'help' };

const OPTIONS = {
  target: { type: 'string' },
  'api-key': { type: 'string' },
  transport: { type: 'string' },
  'batch-size': { type: 'string' },
  concurrency: { type: 'string' },
  gzip: { type: 'boolean' },
  'trace-every': { type: 'string' },
  'max-rate': { type: 'string' },
  print: { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  'progress-json': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  // simulate
  rate: { type: 'string' },
  duration: { type: 'string' },
  seed: { type: 'string' },
  dirty: { type: 'string' },
  'unusable-share': { type: 'string' },
  duplicates: { type: 'string' },
  late: { type: 'string' },
  'max-lateness': { type: 'string' },
  flat: { type: 'boolean' },
  'time-zone': { type: 'string' },
  products: { type: 'string' },
  zipf: { type: 'string' },
  'run-id': { type: 'string' },
  backfill: { type: 'boolean' },
  meta: { type: 'boolean' },
  // replay
  file: { type: 'string' },
  currency: { type: 'string' },
  'date-format': { type: 'string' },
  speed: { type: 'string' },
  'end-now': { type: 'boolean' },
  live: { type: 'boolean' },
  'id-prefix': { type: 'string' },
  encoding: { type: 'string' },
  limit: { type: 'string' },
} as const;

type OptionName = keyof typeof OPTIONS;

const ONLY: Partial<Record<OptionName, 'simulate' | 'replay'>> = {
  rate: 'simulate',
  duration: 'simulate',
  seed: 'simulate',
  dirty: 'simulate',
  'unusable-share': 'simulate',
  duplicates: 'simulate',
  late: 'simulate',
  'max-lateness': 'simulate',
  flat: 'simulate',
  products: 'simulate',
  zipf: 'simulate',
  'run-id': 'simulate',
  meta: 'simulate',
  file: 'replay',
  currency: 'replay',
  'date-format': 'replay',
  speed: 'replay',
  'end-now': 'replay',
  live: 'replay',
  'id-prefix': 'replay',
  encoding: 'replay',
  limit: 'replay',
};

interface NumberRule {
  min: number;
  max?: number;
  integer?: boolean;
  /** the minimum itself is not allowed */
  exclusiveMin?: boolean;
}

function numberOption(name: string, text: string | undefined, fallback: number, rule: NumberRule): number;
function numberOption(
  name: string,
  text: string | undefined,
  fallback: undefined,
  rule: NumberRule,
): number | undefined;
function numberOption(name: string, text: string | undefined, fallback: number | undefined, rule: NumberRule) {
  if (text === undefined) return fallback;
  const value = Number(text);
  const tooSmall = rule.exclusiveMin ? value <= rule.min : value < rule.min;
  if (text.trim() === '' || !Number.isFinite(value) || tooSmall || (rule.max !== undefined && value > rule.max)) {
    const range = `${rule.exclusiveMin ? '>' : '≥'} ${rule.min}${rule.max === undefined ? '' : ` and ≤ ${rule.max}`}`;
    throw new UsageError(`--${name} must be a number ${range}, got "${text}"`);
  }
  if (rule.integer && !Number.isInteger(value)) throw new UsageError(`--${name} must be a whole number, got "${text}"`);
  return value;
}

/** argv (after the script) and the environment → a validated command; throws UsageError. */
export function parseLoadgenArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): LoadgenCommand {
  const command = parseCommand(argv, env);
  // Checked last, so a mistyped option is reported before a missing key.
  if (command.command !== 'help' && !command.print && command.apiKey === '') {
    throw new UsageError('--api-key is required (or set PULSE_LOADGEN_API_KEY)');
  }
  return command;
}

function parseCommand(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): LoadgenCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') return { command: 'help' };
  const command = positionals[0];
  if (command !== 'simulate' && command !== 'replay') {
    throw new UsageError(command === undefined ? 'say simulate or replay' : `unknown command "${command}"`);
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  for (const name of Object.keys(values) as OptionName[]) {
    const only = ONLY[name];
    if (only && only !== command) throw new UsageError(`--${name} applies to ${only} only`);
  }

  const transport = values.transport ?? 'http';
  if (transport !== 'http' && transport !== 'grpc')
    throw new UsageError(`--transport must be http or grpc, got "${transport}"`);
  const print = values.print ?? false;
  const apiKey = values['api-key'] ?? env.PULSE_LOADGEN_API_KEY ?? '';
  const send: SendOptions = {
    target: normalizeTarget(values.target ?? env.PULSE_LOADGEN_TARGET, transport),
    apiKey,
    transport,
    batchSize: numberOption('batch-size', values['batch-size'], 250, { min: 1, max: 1000, integer: true }),
    concurrency: numberOption('concurrency', values.concurrency, 4, { min: 1, max: 256, integer: true }),
    gzip: values.gzip ?? false,
    traceEvery: numberOption('trace-every', values['trace-every'], undefined, { min: 0, exclusiveMin: true }),
    maxRate: numberOption('max-rate', values['max-rate'], undefined, { min: 0, exclusiveMin: true }),
    print,
    json: values.json ?? false,
    quiet: values.quiet ?? false,
    progressJson: values['progress-json'] ?? false,
  };
  if (send.gzip && transport === 'grpc') throw new UsageError('--gzip applies to the http transport only');
  if (send.traceEvery !== undefined && transport === 'grpc')
    throw new UsageError('--trace-every applies to the http transport only');
  const timeZone = (name: string) => {
    try {
      return TimeZone.of(name);
    } catch (error) {
      throw new UsageError(`--time-zone: ${(error as Error).message}`);
    }
  };

  if (command === 'simulate') {
    const fraction = (name: OptionName, fallback: number, max = 1) =>
      numberOption(name, values[name] as string | undefined, fallback, { min: 0, max });
    const backfill = values.backfill ?? false;
    const duration = numberOption('duration', values.duration, undefined, { min: 0, exclusiveMin: true });
    if (backfill && duration === undefined)
      throw new UsageError('--backfill needs --duration (how much traffic to generate)');
    if (values.meta && !print) throw new UsageError('--meta applies with --print only');
    const runId = values['run-id'];
    if (runId !== undefined && !/^[A-Za-z0-9._-]{1,40}$/.test(runId)) {
      throw new UsageError('--run-id must be 1–40 letters, digits, ".", "_" or "-"');
    }
    return {
      command,
      ...send,
      rate: numberOption('rate', values.rate, 100, { min: 0, exclusiveMin: true, max: 1_000_000 }),
      duration,
      seed: numberOption('seed', values.seed, 1, { min: 0, max: 2 ** 32 - 1, integer: true }),
      dirty: fraction('dirty', 0),
      unusableShare: fraction('unusable-share', 0.5),
      duplicates: fraction('duplicates', 0, 0.5),
      late: fraction('late', 0),
      maxLatenessMs: numberOption('max-lateness', values['max-lateness'], 120, { min: 0.001, max: 86_400 }) * 1000,
      flat: values.flat ?? false,
      timeZone: timeZone(values['time-zone'] ?? 'UTC').name,
      products: numberOption('products', values.products, 500, { min: 1, max: 1_000_000, integer: true }),
      zipf: numberOption('zipf', values.zipf, 1, { min: 0, max: 10 }),
      runId,
      backfill,
      meta: values.meta ?? false,
    };
  }

  if (!values.file) throw new UsageError('replay needs --file');
  const speed = numberOption('speed', values.speed, undefined, { min: 0, exclusiveMin: true });
  if (speed !== undefined && values.backfill) throw new UsageError('say --speed or --backfill, not both');
  if (values['end-now'] && values.live) throw new UsageError('say --end-now or --live, not both');
  if (values.live && speed === undefined) throw new UsageError('--live needs --speed');
  const currency = (values.currency ?? 'GBP').trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency))
    throw new UsageError(`--currency must be an ISO 4217 code such as GBP, got "${values.currency}"`);
  const encoding = values.encoding ?? 'utf8';
  if (encoding !== 'utf8' && encoding !== 'latin1')
    throw new UsageError(`--encoding must be utf8 or latin1, got "${encoding}"`);
  let dateFormat: InvoiceDateFormat;
  try {
    dateFormat = InvoiceDateFormat.parse(values['date-format'] ?? 'M/D/YYYY H:mm');
  } catch (error) {
    throw new UsageError(`--date-format: ${(error as Error).message}`);
  }
  return {
    command,
    ...send,
    file: values.file,
    currency,
    dateFormat,
    timeZone: timeZone(values['time-zone'] ?? 'UTC'),
    pacing: speed === undefined ? { kind: 'backfill' } : { kind: 'speed', factor: speed },
    times: values['end-now'] ? 'end-now' : values.live ? 'live' : 'original',
    idPrefix: values['id-prefix'] ?? '',
    encoding,
    limit: numberOption('limit', values.limit, undefined, { min: 1, integer: true }),
  };
}

/** The URL of POST /v1/events (http), or host:port (grpc). */
export function normalizeTarget(target: string | undefined, transport: 'http' | 'grpc'): string {
  if (transport === 'grpc') {
    const address = (target ?? '127.0.0.1:50050').replace(/^(grpc|https?):\/\//, '').replace(/\/+$/, '');
    if (!/^[^/\s]+:\d+$/.test(address)) throw new UsageError(`--target for grpc is host:port, got "${target}"`);
    return address;
  }
  let url: URL;
  try {
    url = new URL(target ?? 'http://127.0.0.1:8080');
  } catch {
    throw new UsageError(`--target must be a URL such as http://127.0.0.1:8080, got "${target}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--target must be an http(s) URL for the http transport, got "${target}"`);
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/events';
  return url.toString();
}
