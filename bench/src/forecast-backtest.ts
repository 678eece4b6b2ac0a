/**
 * Forecast backtest benchmark (issue 6, point 5): hourly series generated with a known trend, daily
 * and weekly seasonality and Gaussian noise (plus one with a level shift, one with missing windows
 * and one without any pattern), a rolling-origin backtest of every model on each, and a markdown
 * table of MASE, sMAPE and interval coverage. Pure computation: no servers. Prints the table; with
 * --out also writes forecast-backtest.{md,json} there.
 *
 *   node dist/bench/src/forecast-backtest.js [--weeks 8] [--origins 14] [--horizon 24] [--seed 1] [--out dir]
 */
import { backtestAll, type BacktestReport, type TimeSeries } from '@pulse/forecasting';

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { machineFacts } from './bench-report.js';

const { values: args } = parseArgs({
  options: {
    weeks: { type: 'string', default: '8' },
    origins: { type: 'string', default: '14' },
    horizon: { type: 'string', default: '24' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
  },
});
const WEEKS = Number(args.weeks);
const ORIGINS = Number(args.origins);
const HORIZON = Number(args.horizon);
const SEED = Number(args.seed);
const HOUR = 3_600_000;
/** Monday 2025-01-06 00:00 UTC, so that days 5 and 6 of each week are the weekend. */
const START = Date.UTC(2025, 0, 6);

/** mulberry32: a small seeded PRNG, so every run draws the same series. */
function uniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws by Box-Muller. */
function normal(draw: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(Math.max(draw(), 1e-12))) * Math.cos(2 * Math.PI * draw());
}

interface Shape {
  level: number;
  /** Per hour. */
  slope: number;
  /** Amplitude of the daily cycle: low at night, peak in the evening (two harmonics). */
  daily: number;
  /** Saturday and Sunday this much above the level, weekdays 2/5 of it below. */
  weekend: number;
  noise: number;
  shift?: { at: number; by: number };
}

function generate(shape: Shape, length: number, seed: number): number[] {
  const noise = normal(uniform(seed));
  return Array.from({ length }, (_, t) => {
    const hour = t % 24;
    const weekend = Math.floor(t / 24) % 7 >= 5;
    return (
      shape.level +
      shape.slope * t +
      shape.daily * (Math.sin((2 * Math.PI * (hour - 9)) / 24) + 0.5 * Math.cos((4 * Math.PI * hour) / 24)) +
      shape.weekend * (weekend ? 1 : -0.4) +
      (shape.shift && t >= shape.shift.at ? shape.shift.by : 0) +
      shape.noise * noise()
    );
  });
}

const length = WEEKS * 168;
const shop: Shape = { level: 500, slope: 0.3, daily: 200, weekend: 100, noise: 40 };
const shiftAt = length - Math.round((ORIGINS * HORIZON) / 2);
const missing = uniform(SEED + 3);
const series: { name: string; description: string; values: (number | null)[] }[] = [
  {
    name: 'seasonal',
    description: `level 500, trend +0.3/h, daily amplitude 200, weekend +100 / weekdays −40, noise σ 40`,
    values: generate(shop, length, SEED),
  },
  {
    name: 'level shift',
    description: `the same with the level up by 300 from window ${shiftAt}, halfway through the evaluated windows`,
    values: generate({ ...shop, shift: { at: shiftAt, by: 300 } }, length, SEED + 1),
  },
  {
    name: 'missing 10%',
    description: 'the seasonal series with a random tenth of its windows missing (not scored)',
    values: generate(shop, length, SEED + 2).map((value) => (missing() < 0.1 ? null : value)),
  },
  {
    name: 'no pattern',
    description: 'level 100 and noise σ 20 only: no trend, no seasonality',
    values: generate({ level: 100, slope: 0, daily: 0, weekend: 0, noise: 20 }, length, SEED + 4),
  },
];

const started = performance.now();
const results = series.map(({ name, values }) => {
  const history: TimeSeries = { start: START, stepMs: HOUR, values };
  return { name, reports: backtestAll(history, { origins: ORIGINS, horizon: HORIZON }) };
});
const seconds = (performance.now() - started) / 1000;

const percent = (share: number) => `${(100 * share).toFixed(1)}%`;
const chosen = (report: BacktestReport) =>
  report.model === 'auto'
    ? Object.entries(report.chosen)
        .map(([model, origins]) => `${model} ×${origins}`)
        .join(', ')
    : '';
const machine = machineFacts();
const md = [
  `| series | model | MASE | sMAPE | 80% coverage | 95% coverage | auto chose |`,
  `|---|---|---|---|---|---|---|`,
  ...results.flatMap(({ name, reports }) =>
    reports.map(
      (r) =>
        `| ${name} | ${r.model} | ${r.mase.toFixed(3)} | ${r.smape.toFixed(2)}% | ${percent(r.coverage[0].coverage)} | ${percent(r.coverage[1].coverage)} | ${chosen(r)} |`,
    ),
  ),
  '',
  '| series | auto MASE / seasonal naive MASE |',
  '|---|---|',
  ...results.map(({ name, reports }) => {
    const mase = (model: string) => reports.find((r) => r.model === model)?.mase ?? Number.NaN;
    return `| ${name} | ${(mase('auto') / mase('seasonal_naive')).toFixed(3)} |`;
  }),
  '',
  ...series.map((s) => `- ${s.name}: ${s.description}`),
  '',
  `${WEEKS} weeks of hourly windows per series (${length}); ${ORIGINS} origins a horizon apart, each forecasting ` +
    `${HORIZON} windows (the last ${ORIGINS * HORIZON} windows are scored); seed ${SEED}. ` +
    `${seconds.toFixed(1)} s on ${machine.cpus} cores (${machine.cpuModel}), Node ${machine.node}.`,
].join('\n');
process.stdout.write(`${md}\n`);
if (args.out) {
  const out = resolve(args.out);
  const report = {
    when: new Date().toISOString(),
    machine,
    weeks: WEEKS,
    origins: ORIGINS,
    horizon: HORIZON,
    seed: SEED,
    seconds: Math.round(seconds * 100) / 100,
    series: results.map(({ name, reports }) => ({
      name,
      description: series.find((s) => s.name === name)?.description,
      models: reports.map((r) => ({
        model: r.model,
        mase: r.mase,
        smape: r.smape,
        coverage: r.coverage,
        chosen: r.model === 'auto' ? r.chosen : undefined,
      })),
    })),
  };
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'forecast-backtest.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(out, 'forecast-backtest.md'), `${md}\n`);
  process.stdout.write(`\nwrote ${join(out, 'forecast-backtest.{md,json}')}\n`);
}
