/**
 * The combined report of `./pulse bench` (bench/results/latest.{json,md}): its shape, how runs
 * become figures (median and p99 over runs, and what limited each), and its markdown.
 */
import type { FigureSample, PartName } from './bench-parts.js';
import type { MachineFacts } from './machine-facts.js';
import { limitVerdict, medianProfile, overRuns, type Better, type OverRuns } from './over-runs.js';
import type { PhaseProfile, ProcessTotals } from './process-sampler.js';

export interface PartRun {
  index: number;
  seconds: number;
  exitCode: number | null;
  /** Why the run gave no figures (exit code, unreadable result), if it did not. */
  error?: string;
  logFile: string;
  resultFile?: string;
  figures: FigureSample[];
  /** What the benchmark's result says beside its figures (e.g. what a short label stands for). */
  notes?: string[];
  processes: ProcessTotals[];
  profiles: PhaseProfile[];
}

export interface FigureSummary extends OverRuns {
  key: string;
  label: string;
  unit: string;
  better: Better;
  values: number[];
  detail?: boolean;
  phase?: string;
  /** The median CPU picture of its phase over runs. */
  profile?: PhaseProfile;
  /** What bounds it, in words (see limitVerdict). */
  limit: string;
}

export interface ProcessSummary {
  name: string;
  peakRssMiB: OverRuns;
  cpuSeconds: OverRuns;
}

export interface PartReport {
  name: PartName;
  title: string;
  seconds: number;
  command: string;
  runs: PartRun[];
  figures: FigureSummary[];
  processes: ProcessSummary[];
}

export interface LatestReport {
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  /** The command line as typed, for reproduction. */
  command: string;
  quick: boolean;
  machine: MachineFacts;
  parts: PartReport[];
}

/** Figures of a part over its runs, in the order the first run reported them. */
export function summarizeFigures(runs: PartRun[], cores: number): FigureSummary[] {
  const order: string[] = [];
  const byKey = new Map<string, FigureSample[]>();
  for (const run of runs) {
    for (const figure of run.figures) {
      if (!byKey.has(figure.key)) {
        order.push(figure.key);
        byKey.set(figure.key, []);
      }
      byKey.get(figure.key)?.push(figure);
    }
  }
  return order.map((key) => {
    const samples = byKey.get(key) ?? [];
    const { label, unit, better, detail, phase } = samples[0];
    const values = samples.map((s) => s.value);
    const profile = phase
      ? medianProfile(runs.flatMap((run) => run.profiles.filter((p) => p.phase === phase)))
      : undefined;
    return {
      key,
      label,
      unit,
      better,
      ...(detail ? { detail } : {}),
      ...(phase ? { phase } : {}),
      values,
      ...overRuns(values, better),
      ...(profile ? { profile } : {}),
      limit: limitVerdict(profile, cores),
    };
  });
}

/** Peak RSS (over runs) and CPU seconds per run of each process name. */
export function summarizeProcesses(runs: PartRun[]): ProcessSummary[] {
  const names = [...new Set(runs.flatMap((run) => run.processes.map((p) => p.name)))];
  return names
    .map((name) => {
      const seen = runs.flatMap((run) => run.processes.filter((p) => p.name === name));
      return {
        name,
        peakRssMiB: overRuns(
          seen.map((p) => p.peakRssMiB),
          'lower',
        ),
        cpuSeconds: overRuns(
          seen.map((p) => p.cpuSeconds),
          'lower',
        ),
      };
    })
    .sort((a, b) => b.cpuSeconds.median - a.cpuSeconds.median);
}

// --- markdown ------------------------------------------------------------------------------------

/** Thousands separated from 1,000; one decimal from 10; three significant digits below. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return Math.round(value).toLocaleString('en');
  if (magnitude >= 10) return (Math.round(value * 10) / 10).toString();
  if (value === 0) return '0';
  return Number(value.toPrecision(3)).toString();
}

export function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  return `${minutes} min ${String(whole % 60).padStart(2, '0')} s`;
}

const cell = (value: string) => value.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function runsNote(part: PartReport): string {
  const failed = part.runs.filter((run) => run.error).length;
  const runs = `${part.runs.length} run${part.runs.length === 1 ? '' : 's'}`;
  return failed > 0 ? `${runs}, ${failed} failed` : runs;
}

function partNotes(part: PartReport): string[] {
  const notes = [...new Set(part.runs.flatMap((run) => run.notes ?? []))];
  return notes.length === 0 ? [] : ['', ...notes.map((note) => `- ${note}`)];
}

/** Requests that failed in a run (the `…/errors` detail figures), which the medians do not show. */
function errorLines(parts: PartReport[]): string[] {
  return parts.flatMap((part) =>
    part.figures
      .filter((f) => f.key.endsWith('/errors') && f.max > 0)
      .map((f) => `- ${part.name}: ${f.label} — ${f.values.join(', ')} ${f.unit} in the ${f.n} runs`),
  );
}

function partTable(part: PartReport): string[] {
  const figures = part.figures.filter((f) => !f.detail);
  if (figures.length === 0) return ['No figures: every run failed (see the failures below).'];
  return [
    '| measure | unit | median | p99 over runs | runs | what limits it (CPU during the measure, % of one core) |',
    '|---|---|---|---|---|---|',
    ...figures.map(
      (f) =>
        `| ${cell(f.label)} | ${f.unit} | ${formatNumber(f.median)} | ${formatNumber(f.p99)} | ${f.n} | ${cell(f.limit)} |`,
    ),
  ];
}

function processTable(parts: PartReport[]): string[] {
  const names = [...new Set(parts.flatMap((part) => part.processes.map((p) => p.name)))];
  if (names.length === 0) return [];
  const withProcesses = parts.filter((part) => part.processes.length > 0);
  return [
    `| process | ${withProcesses.map((part) => part.name).join(' | ')} |`,
    `|---|${withProcesses.map(() => '---|').join('')}`,
    ...names.map((name) => {
      const cells = withProcesses.map((part) => {
        const p = part.processes.find((process) => process.name === name);
        return p ? `${formatNumber(p.peakRssMiB.max)} MiB · ${formatNumber(p.cpuSeconds.median)} s CPU` : '–';
      });
      return `| ${cell(name)} | ${cells.join(' | ')} |`;
    }),
  ];
}

function machineLine(m: MachineFacts): string {
  return (
    `**Machine:** ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.os}, ${m.kernel} (${m.arch}); ` +
    `Node ${m.node}, Java ${m.java}, NATS ${m.nats}, Cassandra ${m.cassandra}; ` +
    `commit ${m.gitCommit}${m.gitDirty ? ' with uncommitted changes' : ''}.`
  );
}

export function renderMarkdown(report: LatestReport): string {
  const { machine } = report;
  const failures = report.parts.flatMap((part) =>
    part.runs
      .filter((run) => run.error)
      .map((run) => `- ${part.name} run ${run.index}: ${run.error} (log: ${run.logFile})`),
  );
  return [
    `## Benchmarks ${report.startedAt.slice(0, 10)}${report.quick ? ' (quick smoke run: not representative)' : ''}`,
    '',
    `\`${report.command}\`, ${formatDuration(report.wallSeconds)} in all, started ${report.startedAt}.`,
    '',
    machineLine(machine),
    '',
    'Every run starts its servers afresh. *Median* and *p99 over runs* are over those runs; p99 is ' +
      'taken on the worse side (the slow tail of throughputs, the high tail of latencies) by nearest ' +
      'rank, so with fewer than 100 runs it is the worst run. A latency figure that is itself a p50 or ' +
      `p99 is over that run's requests or probes. *What limits it* reads /proc while the figure was ` +
      `measured: "all ${machine.cores} cores busy" means the machine is the bound; "CPU of X" a single ` +
      'process near one full core (a Node service: its one JavaScript thread); otherwise nothing was ' +
      'CPU-bound and the figure waits on I/O or timers. "Load generator" and "query clients" are the ' +
      "benchmark's own process.",
    '',
    ...report.parts.flatMap((part) => [
      `### ${part.title}`,
      '',
      `${runsNote(part)}, ${formatDuration(part.seconds)}: \`${part.command}\``,
      '',
      ...partTable(part),
      ...partNotes(part),
      '',
    ]),
    '### Peak RSS (highest over runs) and CPU seconds (median run) per process',
    '',
    ...processTable(report.parts),
    '',
    'Cassandra was running before the benchmark: its figure is the highest RSS seen during the runs ' +
      '(its heap is fixed at start-up) and the CPU it used during them.',
    ...(errorLines(report.parts).length > 0 ? ['', '### Errors during the runs', '', ...errorLines(report.parts)] : []),
    ...(failures.length > 0 ? ['', '### Failed runs', '', ...failures] : []),
    '',
  ].join('\n');
}
