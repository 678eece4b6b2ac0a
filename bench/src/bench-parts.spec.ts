import {
  BENCH_PARTS,
  extractForecast,
  extractIngest,
  extractPipeline,
  extractQuery,
  queryEntryName,
  WHOLE_RUN,
  type PartRunOutput,
} from './bench-parts.js';

const output = (json: unknown, lines: Array<[number, string]> = []): PartRunOutput => ({
  json,
  lines: lines.map(([t, line]) => ({ t, line })),
  startedAt: 1_000,
  endedAt: 9_000,
});

describe('extractIngest', () => {
  const json = {
    rows: [
      {
        key: 'batch/http-100',
        scenario: 'batch: HTTP batches of 100 (16 connections)',
        median: 14925,
        p99: 14925,
        samples: [14925],
        latencyP50: 65,
        latencyP99: 141,
        errors: 0,
      },
      {
        key: 'batch/grpc',
        scenario: 'batch: gRPC client streams',
        median: 17321,
        p99: 17321,
        samples: [17321],
        errors: 0,
      },
      {
        key: 'cleaner',
        scenario: 'cleaner draining 30000 raw events (incl. start-up)',
        median: 3289,
        p99: 3289,
        errors: 0,
      },
    ],
    phases: [{ name: 'batch/http-100', from: 2_000, to: 3_000 }],
  };

  it('gives events/s per scenario and request latency where HTTP measured it, each tied to its phase', () => {
    const { figures, phases } = extractIngest(output(json));
    expect(figures.filter((f) => !f.detail).map((f) => [f.key, f.value, f.better, f.phase])).toEqual([
      ['ingest/batch/http-100/events-per-second', 14925, 'higher', 'batch/http-100'],
      ['ingest/batch/http-100/request-p99', 141, 'lower', 'batch/http-100'],
      ['ingest/batch/grpc/events-per-second', 17321, 'higher', 'batch/grpc'],
      ['ingest/cleaner/events-per-second', 3289, 'higher', 'cleaner'],
    ]);
    expect(phases).toEqual([
      { name: 'batch/http-100', from: 2_000, to: 3_000 },
      { name: WHOLE_RUN, from: 1_000, to: 9_000 },
    ]);
  });

  it('names the cleaner figure without the event count, so runs of different sizes line up', () => {
    const cleaner = extractIngest(output(json)).figures.find((f) => f.key === 'ingest/cleaner/events-per-second');
    expect(cleaner?.label).not.toMatch(/30000/);
  });

  it('gives no figures for a result it cannot read', () => {
    expect(extractIngest(output('nonsense')).figures).toEqual([]);
    expect(extractIngest(output({ rows: [{ median: 5 }] })).figures).toEqual([]);
  });
});

describe('extractPipeline', () => {
  it('gives sustained and gateway events/s and freshness p50/p99 per background rate', () => {
    const json = {
      eventsPerRun: 60000,
      sustainedEventsPerSecond: { median: 2968, p99: 2968 },
      gatewayIngestEventsPerSecond: { median: 11241 },
      freshness: [
        { backgroundEventsPerSecond: 300, probes: 20, ms: { median: 764, p99: 1782 }, samplesMs: [1, 2] },
        { backgroundEventsPerSecond: 1000, probes: 20, ms: { median: 1444, p99: 3360 } },
      ],
      phases: [{ name: 'throughput', from: 1, to: 2 }],
    };
    expect(extractPipeline(output(json)).figures.map((f) => [f.key, f.value, f.phase])).toEqual([
      ['pipeline/sustained-events-per-second', 2968, 'throughput'],
      ['pipeline/gateway-ingest-events-per-second', 11241, 'throughput'],
      ['pipeline/freshness@300/p50', 764, 'freshness@300'],
      ['pipeline/freshness@300/p99', 1782, 'freshness@300'],
      ['pipeline/freshness@1000/p50', 1444, 'freshness@1000'],
      ['pipeline/freshness@1000/p99', 3360, 'freshness@1000'],
    ]);
  });
});

describe('extractQuery', () => {
  const entry = (scenario: string, clients: number, extra: object = {}) => ({
    scenario,
    clients,
    requests: 100,
    errors: 0,
    perSecond: 9.1,
    p50Ms: 1701.9,
    p99Ms: 2752.5,
    maxMs: 2790.3,
    ...extra,
  });

  it('gives p50, p99 and queries/s of each result entry, timed by the progress lines', () => {
    const a = entry('(a) GetSeries: 24 h', 16);
    const json = { dataset: { partials: { '1m': 900, '1h': 90, '1d': 10 }, seedSeconds: 2 }, results: [a] };
    const lines: Array<[number, string]> = [
      [1_500, 'seeding 1,000 partials ...'],
      [3_500, 'seeded in 2 s'],
      [7_000, JSON.stringify(a)],
    ];
    const { figures, phases } = extractQuery(output(json, lines));
    expect(figures.filter((f) => !f.detail).map((f) => [f.label, f.value, f.phase])).toEqual([
      ['store writing a day of partials through its consumer (1,000 partials)', 500, 'seeding'],
      ['(a) GetSeries · 16 clients: queries/s', 9.1, '(a) GetSeries: 24 h · 16 clients'],
      ['(a) GetSeries · 16 clients: p50', 1701.9, '(a) GetSeries: 24 h · 16 clients'],
      ['(a) GetSeries · 16 clients: p99', 2752.5, '(a) GetSeries: 24 h · 16 clients'],
    ]);
    expect(figures.filter((f) => !f.detail).map((f) => [f.key, f.value, f.phase])).toEqual([
      ['query/seed-partials-per-second', 500, 'seeding'],
      ['query/(a) GetSeries: 24 h · 16 clients/per-second', 9.1, '(a) GetSeries: 24 h · 16 clients'],
      ['query/(a) GetSeries: 24 h · 16 clients/p50', 1701.9, '(a) GetSeries: 24 h · 16 clients'],
      ['query/(a) GetSeries: 24 h · 16 clients/p99', 2752.5, '(a) GetSeries: 24 h · 16 clients'],
    ]);
    expect(phases).toEqual([
      { name: 'seeding', from: 1_500, to: 3_500 },
      { name: '(a) GetSeries: 24 h · 16 clients', from: 3_500, to: 7_000 },
      { name: WHOLE_RUN, from: 1_000, to: 9_000 },
    ]);
  });

  it('tells apart entries that gain a describing field (cold and warm) and keeps new …Ms fields as details', () => {
    const cold = entry('(b) TopDimensions', 1, { cache: 'cold', firstMs: 80 });
    const warm = entry('(b) TopDimensions', 1, { cache: 'warm' });
    expect(queryEntryName(cold)).toBe('(b) TopDimensions · 1 client · cache cold');
    const { figures } = extractQuery(output({ results: [cold, warm] }));
    const keys = figures.map((f) => f.key);
    expect(keys).toContain('query/(b) TopDimensions · 1 client · cache cold/p99');
    expect(keys).toContain('query/(b) TopDimensions · 1 client · cache warm/p99');
    expect(figures.find((f) => f.key.endsWith('cache cold/firstMs'))).toEqual(
      expect.objectContaining({ value: 80, detail: true }),
    );
  });

  it('turns a single timing beside the entries into a figure named in words', () => {
    const { figures } = extractQuery(output({ firstSeriesReadWithCacheMs: 412.5, secondsPerScenario: 20 }));
    expect(figures).toEqual([
      {
        key: 'query/firstSeriesReadWithCacheMs',
        label: 'first series read with cache',
        unit: 'ms',
        better: 'lower',
        value: 412.5,
      },
    ]);
  });

  it('gives no latency for a query that never answered in the run, only its errors', () => {
    const dead = entry('(c) Funnel', 1, { requests: 0, errors: 4, perSecond: 0, p50Ms: 0, p99Ms: 0 });
    const { figures } = extractQuery(output({ results: [dead] }));
    expect(figures.map((f) => [f.key, f.value])).toEqual([['query/(c) Funnel · 1 client/errors', 4]]);
  });

  it('does without a seed figure when the run reused a seeded keyspace', () => {
    const { figures } = extractQuery(output({ dataset: { partials: { '1m': 900 } }, results: [] }));
    expect(figures).toEqual([]);
  });
});

describe('extractForecast', () => {
  it('gives the MASE of auto and its ratio to seasonal naive per series, and the backtest time', () => {
    const json = {
      seconds: 1.4,
      series: [
        {
          name: 'seasonal',
          models: [
            { model: 'seasonal_naive', mase: 1.02 },
            { model: 'auto', mase: 0.586 },
          ],
        },
      ],
    };
    expect(extractForecast(output(json)).figures.map((f) => [f.key, f.value])).toEqual([
      ['forecast/seasonal/auto-mase', 0.586],
      ['forecast/seasonal/auto-vs-naive', 0.575],
      ['forecast/seconds', 1.4],
    ]);
  });
});

describe('BENCH_PARTS', () => {
  const settings = { quick: false, runDir: '/tmp/run-1', cassandra: '127.0.0.1:9042', session: 's1' };

  it('asks every benchmark for one run per process and points the ones that take --out at the run directory', () => {
    expect(BENCH_PARTS.ingest.args(settings)).toEqual(expect.arrayContaining(['--runs', '1', '--out', '/tmp/run-1']));
    expect(BENCH_PARTS.pipeline.args(settings)).toEqual(expect.arrayContaining(['--runs', '1', '--out', '/tmp/run-1']));
    expect(BENCH_PARTS.forecast.resultFile(settings, '/w')).toBe('/tmp/run-1/forecast-backtest.json');
  });

  it('runs the query benchmark on one kept keyspace per session and restores the files it writes', () => {
    expect(BENCH_PARTS.query.args(settings)).toEqual(
      expect.arrayContaining(['--keyspace', 'pulse_qbench_s1', '--keep']),
    );
    expect(BENCH_PARTS.query.keyspace?.(settings)).toBe('pulse_qbench_s1');
    expect(BENCH_PARTS.query.overwrites).toEqual(['bench/results/query.json', 'bench/results/query.md']);
  });
});
