/**
 * The benchmarks `./pulse bench` runs: how to call each entry point (full and --quick), where its
 * JSON result lands, and how to read that result into figures — one value per figure per run.
 * Reading is pure and tolerant: fields a benchmark gains later are ignored or become figures.
 */
import { join } from 'node:path';

import type { Better } from './over-runs.js';
import type { Phase } from './process-sampler.js';

export type PartName = 'forecast' | 'ingest' | 'pipeline' | 'query';
export const PART_NAMES: readonly PartName[] = ['forecast', 'ingest', 'pipeline', 'query'];

export interface FigureSample {
  /** Stable across runs: figures of the same key are one figure's runs. */
  key: string;
  label: string;
  unit: string;
  better: Better;
  value: number;
  /** The phase (see Phase) it was measured in, for the CPU picture. */
  phase?: string;
  /** In the JSON only, not in the markdown table. */
  detail?: boolean;
}

/** An output line of a benchmark and when the runner saw it (epoch ms). */
export interface TimedLine {
  t: number;
  line: string;
}

export interface PartRunOutput {
  json: unknown;
  lines: TimedLine[];
  /** Epoch ms. */
  startedAt: number;
  endedAt: number;
}

export interface ExtractedRun {
  figures: FigureSample[];
  phases: Phase[];
  /** Lines for under the part's table (e.g. what a short label stands for). */
  notes?: string[];
}

export interface PartSettings {
  quick: boolean;
  /** Where the benchmark should write its own files (a per-run directory). */
  runDir: string;
  cassandra: string;
  /** Unique to one `./pulse bench` (names what its runs share, e.g. a keyspace). */
  session: string;
}

export interface BenchPart {
  name: PartName;
  title: string;
  /** Built entry point, relative to the workspace root. */
  script: string;
  /** The name of the benchmark process itself in the process table. */
  rootName: string;
  needsCassandra: boolean;
  args(settings: PartSettings): string[];
  /** The JSON result a run leaves. */
  resultFile(settings: PartSettings, workspaceRoot: string): string;
  /**
   * Files under the workspace the benchmark writes regardless of where we ask it to (restored
   * after the run: `./pulse bench` writes only its own report).
   */
  overwrites: string[];
  /** A Cassandra keyspace its runs share, dropped by the runner after the last run. */
  keyspace?(settings: PartSettings): string;
  extract(output: PartRunOutput): ExtractedRun;
}

// --- reading JSON defensively -------------------------------------------------------------------

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const objects = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);
const number = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function phasesOf(json: unknown): Phase[] {
  if (!isObject(json)) return [];
  return objects(json.phases).flatMap((p) => {
    const name = text(p.name);
    const from = number(p.from);
    const to = number(p.to);
    return name !== undefined && from !== undefined && to !== undefined ? [{ name, from, to }] : [];
  });
}

/** The whole run as one phase, for a figure its benchmark does not time separately. */
export const WHOLE_RUN = 'whole run';
function withWholeRun(phases: Phase[], output: PartRunOutput): Phase[] {
  return [...phases, { name: WHOLE_RUN, from: output.startedAt, to: output.endedAt }];
}

// --- ingest --------------------------------------------------------------------------------------

export function extractIngest(output: PartRunOutput): ExtractedRun {
  const json = isObject(output.json) ? output.json : {};
  const figures: FigureSample[] = [];
  for (const row of objects(json.rows)) {
    const key = text(row.key);
    const scenario = text(row.scenario);
    if (!key || !scenario) continue;
    const name = key === 'cleaner' ? 'cleaner draining what the gateway took (incl. start-up)' : scenario;
    const rate = number(row.median);
    if (rate !== undefined)
      figures.push({
        key: `ingest/${key}/events-per-second`,
        label: name,
        unit: 'events/s',
        better: 'higher',
        value: rate,
        phase: key,
      });
    const p99 = number(row.latencyP99);
    if (p99 !== undefined)
      figures.push({
        key: `ingest/${key}/request-p99`,
        label: `${name}: request p99`,
        unit: 'ms',
        better: 'lower',
        value: p99,
        phase: key,
      });
    const p50 = number(row.latencyP50);
    if (p50 !== undefined)
      figures.push({
        key: `ingest/${key}/request-p50`,
        label: `${name}: request p50`,
        unit: 'ms',
        better: 'lower',
        value: p50,
        phase: key,
        detail: true,
      });
    const errors = number(row.errors);
    if (errors !== undefined && key !== 'cleaner')
      figures.push({
        key: `ingest/${key}/errors`,
        label: `${name}: non-2xx answers`,
        unit: 'requests',
        better: 'lower',
        value: errors,
        phase: key,
        detail: true,
      });
  }
  return { figures, phases: withWholeRun(phasesOf(json), output) };
}

// --- pipeline ------------------------------------------------------------------------------------

export function extractPipeline(output: PartRunOutput): ExtractedRun {
  const json = isObject(output.json) ? output.json : {};
  const figures: FigureSample[] = [];
  const sustained = isObject(json.sustainedEventsPerSecond) ? number(json.sustainedEventsPerSecond.median) : undefined;
  const eventsPerRun = number(json.eventsPerRun);
  const events = eventsPerRun === undefined ? '' : ` (${eventsPerRun.toLocaleString('en')} events)`;
  if (sustained !== undefined)
    figures.push({
      key: 'pipeline/sustained-events-per-second',
      label: `sustained, first POST → all visible in a store query${events}`,
      unit: 'events/s',
      better: 'higher',
      value: sustained,
      phase: 'throughput',
    });
  const ingest = isObject(json.gatewayIngestEventsPerSecond)
    ? number(json.gatewayIngestEventsPerSecond.median)
    : undefined;
  if (ingest !== undefined)
    figures.push({
      key: 'pipeline/gateway-ingest-events-per-second',
      label: 'gateway acceptance in those runs (batch mode, 8 connections × 500)',
      unit: 'events/s',
      better: 'higher',
      value: ingest,
      phase: 'throughput',
    });
  for (const round of objects(json.freshness)) {
    const rate = number(round.backgroundEventsPerSecond);
    const ms = isObject(round.ms) ? round.ms : undefined;
    if (rate === undefined || !ms) continue;
    const probes = number(round.probes);
    const of = probes === undefined ? '' : ` of ${probes} probes`;
    const label = `freshness at ${rate.toLocaleString('en')} events/s background, gateway ack → visible`;
    for (const [field, stat] of [
      ['median', 'p50'],
      ['p99', 'p99'],
    ] as const) {
      const value = number(ms[field]);
      if (value !== undefined)
        figures.push({
          key: `pipeline/freshness@${rate}/${stat}`,
          label: `${label}: ${stat}${of}`,
          unit: 'ms',
          better: 'lower',
          value,
          phase: `freshness@${rate}`,
        });
    }
  }
  return { figures, phases: withWholeRun(phasesOf(json), output) };
}

// --- query ---------------------------------------------------------------------------------------

/** Fields of a query result entry that describe it rather than measure it. */
const QUERY_COUNTS = new Set(['clients', 'requests', 'errors', 'scenario']);

/**
 * One name for a query result entry: its scenario, client count and any other descriptive text.
 * `short` keeps only the scenario's tag — `(a) GetSeries` of `(a) GetSeries: 24 h of …`.
 */
export function queryEntryName(entry: Json, short = false): string | undefined {
  const full = text(entry.scenario);
  if (!full) return undefined;
  const scenario = short ? full.split(': ')[0] : full;
  const clients = number(entry.clients);
  const extras = Object.entries(entry)
    .filter(([key, value]) => typeof value === 'string' && !QUERY_COUNTS.has(key))
    .map(([key, value]) => `${key} ${value}`);
  return [scenario, ...(clients === undefined ? [] : [`${clients} client${clients === 1 ? '' : 's'}`]), ...extras].join(
    ' · ',
  );
}

/**
 * The query benchmark's results: each entry of `results` (scenario × clients, and whatever else it
 * distinguishes) gives p50, p99 and queries/s, plus every other `…Ms` field as a detail. Phases
 * come from the times its progress lines appeared: seeding between the "seeding" and "seeded"
 * lines, each entry between the line before and its own JSON line.
 */
export function extractQuery(output: PartRunOutput): ExtractedRun {
  const json = isObject(output.json) ? output.json : {};
  const phases: Phase[] = [];
  let previous: number | undefined;
  for (const { t, line } of output.lines) {
    if (/^seeding\b/.test(line)) previous = t;
    else if (/^seeded\b/.test(line)) {
      if (previous !== undefined) phases.push({ name: 'seeding', from: previous, to: t });
      previous = t;
    } else if (line.startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        continue;
      }
      const name = isObject(parsed) ? queryEntryName(parsed) : undefined;
      if (name && previous !== undefined) phases.push({ name, from: previous, to: t });
      previous = t;
    }
  }
  const figures: FigureSample[] = [];
  const dataset = isObject(json.dataset) ? json.dataset : {};
  const seedSeconds = number(dataset.seedSeconds);
  const partials = isObject(dataset.partials)
    ? Object.values(dataset.partials).reduce((sum: number, n) => sum + (number(n) ?? 0), 0)
    : undefined;
  if (seedSeconds !== undefined && partials)
    figures.push({
      key: 'query/seed-partials-per-second',
      label: `store writing a day of partials through its consumer (${partials.toLocaleString('en')} partials)`,
      unit: 'partials/s',
      better: 'higher',
      value: Math.round(partials / seedSeconds),
      phase: 'seeding',
    });
  // Single timings beside the result entries (e.g. `firstSeriesReadWithCacheMs`).
  for (const [field, value] of Object.entries(json)) {
    const measured = number(value);
    if (measured === undefined || !field.endsWith('Ms')) continue;
    const words = field
      .slice(0, -2)
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase();
    figures.push({ key: `query/${field}`, label: words, unit: 'ms', better: 'lower', value: measured });
  }
  const notes = new Set<string>();
  for (const entry of objects(json.results)) {
    const name = queryEntryName(entry);
    const label = queryEntryName(entry, true);
    if (!name || !label) continue;
    notes.add(`${text(entry.scenario)}`);
    // A query that never answered in the run has no latency: its errors say what happened.
    const answered = number(entry.requests) !== 0;
    for (const [field, value] of Object.entries(entry)) {
      const measured = number(value);
      if (measured === undefined || QUERY_COUNTS.has(field) || !answered) continue;
      const sample = { phase: name, value: measured };
      if (field === 'p50Ms')
        figures.push({ key: `query/${name}/p50`, label: `${label}: p50`, unit: 'ms', better: 'lower', ...sample });
      else if (field === 'p99Ms')
        figures.push({ key: `query/${name}/p99`, label: `${label}: p99`, unit: 'ms', better: 'lower', ...sample });
      else if (field === 'perSecond')
        figures.push({
          key: `query/${name}/per-second`,
          label: `${label}: queries/s`,
          unit: 'queries/s',
          better: 'higher',
          ...sample,
        });
      else if (field.endsWith('Ms'))
        figures.push({
          key: `query/${name}/${field}`,
          label: `${label}: ${field.slice(0, -2)}`,
          unit: 'ms',
          better: 'lower',
          detail: true,
          ...sample,
        });
    }
    const errors = number(entry.errors);
    if (errors !== undefined)
      figures.push({
        key: `query/${name}/errors`,
        label: `${label}: errors`,
        unit: 'queries',
        better: 'lower',
        value: errors,
        phase: name,
        detail: true,
      });
  }
  return { figures, phases: withWholeRun(phases, output), notes: [...notes] };
}

// --- forecast backtest ---------------------------------------------------------------------------

export function extractForecast(output: PartRunOutput): ExtractedRun {
  const json = isObject(output.json) ? output.json : {};
  // Accuracy is deterministic (seeded series): the same in every run, and bound by nothing.
  const figures: FigureSample[] = [];
  for (const series of objects(json.series)) {
    const name = text(series.name);
    if (!name) continue;
    const mase = (model: string) => number(objects(series.models).find((m) => m.model === model)?.mase);
    const auto = mase('auto');
    const naive = mase('seasonal_naive');
    if (auto !== undefined)
      figures.push({
        key: `forecast/${name}/auto-mase`,
        label: `${name}: MASE of auto`,
        unit: 'MASE',
        better: 'lower',
        value: auto,
      });
    if (auto !== undefined && naive !== undefined && naive > 0)
      figures.push({
        key: `forecast/${name}/auto-vs-naive`,
        label: `${name}: auto MASE / seasonal naive MASE`,
        unit: 'ratio',
        better: 'lower',
        value: Math.round((auto / naive) * 1000) / 1000,
      });
  }
  const seconds = number(json.seconds);
  if (seconds !== undefined)
    figures.push({
      key: 'forecast/seconds',
      label: `backtest of every model on the ${objects(json.series).length} series (run time)`,
      unit: 's',
      better: 'lower',
      value: seconds,
      phase: WHOLE_RUN,
    });
  return { figures, phases: withWholeRun([], output) };
}

const queryKeyspace = ({ session }: PartSettings) => `pulse_qbench_${session}`;

// --- the parts -----------------------------------------------------------------------------------

export const BENCH_PARTS: Record<PartName, BenchPart> = {
  forecast: {
    name: 'forecast',
    title: 'Forecast backtest (8 weeks hourly, 14 origins, 24 h ahead; pure computation)',
    script: 'dist/bench/src/forecast-backtest.js',
    rootName: 'forecast-backtest',
    needsCassandra: false,
    args: ({ runDir }) => ['--out', runDir],
    resultFile: ({ runDir }) => join(runDir, 'forecast-backtest.json'),
    overwrites: [],
    extract: extractForecast,
  },
  ingest: {
    name: 'ingest',
    title: 'Ingest (private NATS; gateway, then cleaner, as processes; autocannon and gRPC client as load)',
    script: 'dist/bench/src/ingest-bench.js',
    rootName: 'load generator',
    needsCassandra: false,
    args: ({ quick, runDir }) => ['--events', quick ? '4000' : '30000', '--runs', '1', '--out', runDir],
    resultFile: ({ runDir }) => join(runDir, 'ingest.json'),
    overwrites: [],
    extract: extractIngest,
  },
  pipeline: {
    name: 'pipeline',
    title: 'Pipeline and freshness (every service as a process, private NATS, the dev Cassandra, 16 partitions)',
    script: 'dist/bench/src/pipeline-bench.js',
    rootName: 'load generator',
    needsCassandra: true,
    args: ({ quick, runDir, cassandra }) => [
      ...['--events', quick ? '5000' : '60000', '--runs', '1'],
      ...['--probes', quick ? '4' : '20', '--background-rate', quick ? '300' : '300,1000'],
      ...['--cassandra', cassandra, '--out', runDir],
    ],
    resultFile: ({ runDir }) => join(runDir, 'pipeline.json'),
    overwrites: [],
    extract: extractPipeline,
  },
  query: {
    name: 'query',
    title: 'Queries (the store over gRPC on a seeded day, the dev Cassandra)',
    script: 'dist/bench/src/query-bench.js',
    rootName: 'query clients',
    needsCassandra: true,
    // Full: a day at 1 event/s (262,836 partials), 10 s per query and client count (20 s is the
    // benchmark's default: 10 keeps three runs within the time budget); quick: a fiftieth of those
    // events and 3 s per query. The first run seeds the day into a kept keyspace; the next runs
    // find it there and only query.
    args: (settings) => [
      ...['--cassandra', settings.cassandra, '--keyspace', queryKeyspace(settings), '--keep'],
      ...(settings.quick ? ['--events-per-second', '0.02', '--seconds', '3', '--warmup', '1'] : ['--seconds', '10']),
    ],
    keyspace: (settings) => queryKeyspace(settings),
    // It writes into bench/results whatever we ask.
    resultFile: (_settings, workspaceRoot) => join(workspaceRoot, 'bench/results/query.json'),
    overwrites: ['bench/results/query.json', 'bench/results/query.md'],
    extract: extractQuery,
  },
};
