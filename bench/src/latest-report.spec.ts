import type { FigureSample } from './bench-parts.js';
import {
  formatDuration,
  formatNumber,
  renderMarkdown,
  summarizeFigures,
  summarizeProcesses,
  type LatestReport,
  type PartRun,
} from './latest-report.js';
import type { MachineFacts } from './machine-facts.js';
import type { PhaseProfile } from './process-sampler.js';

const rate = (value: number): FigureSample => ({
  key: 'ingest/batch/http-100/events-per-second',
  label: 'batch: HTTP batches of 100',
  unit: 'events/s',
  better: 'higher',
  value,
  phase: 'batch/http-100',
});
const p50 = (value: number): FigureSample => ({
  ...rate(value),
  key: 'ingest/p50',
  label: 'p50',
  unit: 'ms',
  better: 'lower',
  detail: true,
});
const profile = (gateway: number): PhaseProfile => ({
  phase: 'batch/http-100',
  seconds: 4,
  machineBusy: 0.95,
  otherCores: 0,
  processes: [
    { name: 'ingest-gateway', cores: gateway },
    { name: 'NATS', cores: 0.6 },
  ],
});
const run = (index: number, events: number, gatewayCores: number, rssMiB: number): PartRun => ({
  index,
  seconds: 60,
  exitCode: 0,
  logFile: `.run/bench-runs/x/ingest/run-${index}/output.log`,
  figures: [rate(events), p50(60 + index)],
  processes: [
    { name: 'ingest-gateway', pids: [index], peakRssMiB: rssMiB, cpuSeconds: 40 + index },
    { name: 'NATS', pids: [100 + index], peakRssMiB: 30, cpuSeconds: 20 },
  ],
  profiles: [profile(gatewayCores)],
});

describe('summarizeFigures', () => {
  it('gathers each figure over runs: values in run order, median, worse-side p99 and what limited it', () => {
    const [figure] = summarizeFigures(
      [run(1, 15000, 0.97, 400), run(2, 14000, 0.99, 480), run(3, 16000, 0.98, 450)],
      2,
    );
    expect(figure).toEqual(expect.objectContaining({ values: [15000, 14000, 16000], median: 15000, p99: 14000, n: 3 }));
    expect(figure.limit).toBe('CPU: all 2 cores busy — ingest-gateway 98 %, NATS 60 %');
  });
});

describe('summarizeProcesses', () => {
  it('keeps the highest peak RSS and the median CPU seconds of each process over runs', () => {
    const [gateway] = summarizeProcesses([run(1, 1, 1, 400), run(2, 1, 1, 480), run(3, 1, 1, 450)]);
    expect(gateway.name).toBe('ingest-gateway');
    expect(gateway.peakRssMiB.max).toBe(480);
    expect(gateway.cpuSeconds.median).toBe(42);
  });
});

describe('formatNumber and formatDuration', () => {
  it('writes big numbers with separators and small ones with three significant digits', () => {
    expect(formatNumber(14925.4)).toBe('14,925');
    expect(formatNumber(141.2)).toBe('141');
    expect(formatNumber(13.26)).toBe('13.3');
    expect(formatNumber(0.5862)).toBe('0.586');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(NaN)).toBe('–');
  });

  it('writes seconds as minutes and seconds past a minute', () => {
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(1112)).toBe('18 min 32 s');
  });
});

describe('renderMarkdown', () => {
  const machine: MachineFacts = {
    cores: 2,
    cpuModel: 'AMD EPYC',
    memoryGiB: 24,
    os: 'Debian GNU/Linux 12 (bookworm)',
    kernel: 'Linux 6.1.0',
    arch: 'x64',
    node: 'v20.20.2',
    java: '17.0.15 (openjdk)',
    nats: 'v2.15.2',
    cassandra: '5.0.9 (at 127.0.0.1:9042)',
    gitCommit: 'abc123def456',
    gitDirty: false,
    date: '2026-11-27T19:00:00.000Z',
  };
  const runs = [run(1, 15000, 0.97, 400), run(2, 14000, 0.99, 480)];
  const failed: PartRun = { ...run(3, 0, 0, 0), exitCode: 1, error: 'exited with code 1', figures: [] };
  const report: LatestReport = {
    startedAt: '2026-11-27T19:00:00.000Z',
    finishedAt: '2026-11-27T19:18:00.000Z',
    wallSeconds: 1080,
    command: './pulse bench --runs 3',
    quick: false,
    machine,
    parts: [
      {
        name: 'ingest',
        title: 'Ingest',
        seconds: 300,
        command: 'node dist/bench/src/ingest-bench.js --events 30000 --runs 1 --out <run dir>',
        runs: [...runs, failed],
        figures: summarizeFigures(runs, 2),
        processes: summarizeProcesses(runs),
      },
    ],
  };
  const markdown = renderMarkdown(report);

  it('states the machine, versions and commit the figures come from', () => {
    expect(markdown).toContain(
      '**Machine:** 2 cores (AMD EPYC), 24 GiB, Debian GNU/Linux 12 (bookworm), Linux 6.1.0 (x64); Node v20.20.2, Java 17.0.15 (openjdk), NATS v2.15.2, Cassandra 5.0.9 (at 127.0.0.1:9042); commit abc123def456.',
    );
    expect(markdown).toContain('`./pulse bench --runs 3`, 18 min 00 s in all');
  });

  it('has a row per figure with median, p99 over runs, run count and limit, detail figures left out', () => {
    expect(markdown).toContain(
      '| batch: HTTP batches of 100 | events/s | 14,500 | 14,000 | 2 | CPU: all 2 cores busy — ingest-gateway 98 %, NATS 60 % |',
    );
    expect(markdown).not.toContain('| p50 |');
    expect(markdown).toContain('3 runs, 1 failed, 5 min 00 s');
  });

  it('has a process table of peak RSS and CPU seconds per benchmark, and lists failed runs with their logs', () => {
    expect(markdown).toContain('| process | ingest |');
    expect(markdown).toContain('| ingest-gateway | 480 MiB · 41.5 s CPU |');
    expect(markdown).toContain('- ingest run 3: exited with code 1 (log: .run/bench-runs/x/ingest/run-3/output.log)');
  });
});

describe('renderMarkdown notes and errors', () => {
  it('lists what short labels stand for and the requests that failed in some run', () => {
    const errors: FigureSample = {
      key: 'query/(c) Funnel · 1 client/errors',
      label: '(c) Funnel · 1 client: errors',
      unit: 'queries',
      better: 'lower',
      value: 0,
      detail: true,
    };
    const runs: PartRun[] = [0, 4].map((value, i) => ({
      ...run(i + 1, 1, 1, 1),
      figures: [{ ...errors, value }],
      notes: ['(c) Funnel: session funnel over a day'],
    }));
    const markdown = renderMarkdown({
      startedAt: '2026-11-27T19:00:00.000Z',
      finishedAt: '2026-11-27T19:01:00.000Z',
      wallSeconds: 60,
      command: './pulse bench --only query',
      quick: true,
      machine: {} as MachineFacts,
      parts: [
        {
          name: 'query',
          title: 'Queries',
          seconds: 60,
          command: 'node dist/bench/src/query-bench.js',
          runs,
          figures: summarizeFigures(runs, 2),
          processes: [],
        },
      ],
    });
    expect(markdown).toContain('- (c) Funnel: session funnel over a day');
    expect(markdown).toContain('- query: (c) Funnel · 1 client: errors — 0, 4 queries in the 2 runs');
    expect(markdown).toContain('(quick smoke run: not representative)');
  });
});
