/**
 * Every benchmark of the project in one go (`./pulse bench`): runs each benchmark's entry point as
 * a child process, --runs times, while sampling /proc for the CPU and memory of it and of every
 * process it spawns (and of the dev Cassandra); then writes latest.{md,json} with the machine's
 * facts, each figure's median and p99 over runs, what limited it, and peak RSS per process.
 *
 *   node dist/bench/src/run-all.js [--runs 3] [--query-runs 1] [--quick] [--only ingest,pipeline,query,forecast]
 *                                  [--out bench/results] [--work-dir .run/bench-runs/<time>] [--cassandra 127.0.0.1:9042]
 *
 * Without --cassandra it starts the dev Cassandra (scripts/infra.sh up cassandra) when a
 * benchmark needs it, and leaves it running (./pulse down stops it); scripts/infra.sh's variables
 * select another instance, e.g. PULSE_RUN_DIR=.run/bench PULSE_CASSANDRA_PORT=29042
 * PULSE_CASSANDRA_STORAGE_PORT=27000 for one of its own.
 */
import { workspaceRoot } from '@pulse/testing';

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import cassandra from 'cassandra-driver';

import { BENCH_PARTS, PART_NAMES, type BenchPart, type PartName, type TimedLine } from './bench-parts.js';
import {
  formatDuration,
  renderMarkdown,
  summarizeFigures,
  summarizeProcesses,
  type LatestReport,
  type PartReport,
  type PartRun,
} from './latest-report.js';
import { machineFacts } from './machine-facts.js';
import { clockTicksPerSecond, pidListeningOn } from './proc-stats.js';
import { phaseProfile, ProcessSampler, processTotals } from './process-sampler.js';

const USAGE = `usage: ./pulse bench [--runs N] [--query-runs N] [--quick] [--only ${PART_NAMES.join(',')}]
                    [--out DIR] [--work-dir DIR] [--cassandra HOST:PORT] [--sample-ms MS]`;

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    'query-runs': { type: 'string' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: PART_NAMES.join(',') },
    out: { type: 'string', default: join(workspaceRoot, 'bench/results') },
    'work-dir': { type: 'string' },
    // The instance scripts/infra.sh runs (PULSE_CASSANDRA_PORT selects another one, as for the tests).
    cassandra: {
      type: 'string',
      default: process.env.PULSE_CASSANDRA_CONTACT_POINTS ?? `127.0.0.1:${process.env.PULSE_CASSANDRA_PORT ?? 9042}`,
    },
    'sample-ms': { type: 'string', default: '500' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const count = (name: string, raw: string | undefined, fallback: number): number => {
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`--${name} must be a whole number ≥ 1, got '${raw}'\n${USAGE}\n`);
    process.exit(2);
  }
  return value;
};
const QUICK = values.quick;
const RUNS = count('runs', values.runs, QUICK ? 1 : 3);
// The query benchmark's runs share one seeded day (seeding takes ~3 min here), so they cost less
// than the others'; --query-runs sets them apart.
const QUERY_RUNS = count('query-runs', values['query-runs'], RUNS);
const SAMPLE_MS = count('sample-ms', values['sample-ms'], 500);
const parts = values.only.split(',').map((name) => {
  if (!(PART_NAMES as readonly string[]).includes(name)) {
    process.stderr.write(`unknown benchmark '${name}' in --only (have: ${PART_NAMES.join(', ')})\n`);
    process.exit(2);
  }
  return BENCH_PARTS[name as PartName];
});
const OUT = resolve(values.out);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const SESSION = `all_${Date.now().toString(36)}`;
const WORK = resolve(values['work-dir'] ?? join(workspaceRoot, '.run/bench-runs', stamp));
const CASSANDRA = values.cassandra;
const OWN_CASSANDRA = !process.argv.slice(2).some((arg) => arg === '--cassandra' || arg.startsWith('--cassandra='));
const CASSANDRA_PORT = Number(CASSANDRA.split(':')[1] ?? '9042');
const COMMAND = `./pulse bench ${process.argv.slice(2).join(' ')}`.trim();

const show = (path: string) => (path.startsWith(workspaceRoot) ? relative(workspaceRoot, path) || '.' : path);
const say = (line: string) => process.stdout.write(`\x1b[1m[bench]\x1b[0m ${line}\n`);
const runsOf = (part: BenchPart) => (part.name === 'query' ? QUERY_RUNS : RUNS);

// --- one run of one part -------------------------------------------------------------------------

let current: { child: ReturnType<typeof spawn>; sampler: ProcessSampler } | undefined;
let restoreCurrent: (() => void) | undefined;

/** Keeps the files a benchmark overwrites regardless of --out, to put them back after its run. */
function protect(paths: string[], runDir: string): () => void {
  const saved = paths.map((path) => {
    const full = join(workspaceRoot, path);
    return { full, content: existsSync(full) ? readFileSync(full) : undefined };
  });
  let done = false;
  return () => {
    if (done) return;
    done = true;
    for (const { full, content } of saved) {
      if (existsSync(full)) copyFileSync(full, join(runDir, basename(full)));
      if (content === undefined) rmSync(full, { force: true });
      else writeFileSync(full, content);
    }
  };
}

async function runOnce(part: BenchPart, index: number, total: number, clockTicks: number): Promise<PartRun> {
  const runDir = join(WORK, part.name, `run-${index}`);
  mkdirSync(runDir, { recursive: true });
  const settings = { quick: QUICK, runDir, cassandra: CASSANDRA, session: SESSION };
  const logFile = join(runDir, 'output.log');
  const args = part.args(settings);
  const tag = `${part.name} ${index}/${total}`;
  say(`${tag}: node ${part.script} ${args.join(' ')}`);
  const log = createWriteStream(logFile);
  log.write(`$ node ${part.script} ${args.join(' ')}\n`);

  const outside = [{ pid: process.pid, name: 'bench runner (sampling /proc)' }];
  if (part.needsCassandra) {
    const pid = pidListeningOn(CASSANDRA_PORT);
    if (pid) outside.push({ pid, name: 'Cassandra' });
    else say(`${tag}: no process of ours listens on ${CASSANDRA_PORT}: Cassandra's CPU and memory are not sampled`);
  }
  restoreCurrent = protect(part.overwrites, runDir);
  const startedAt = Date.now();
  const child = spawn(process.execPath, ['--enable-source-maps', join(workspaceRoot, part.script), ...args], {
    cwd: workspaceRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sampler = new ProcessSampler({
    rootPid: child.pid ?? -1,
    rootName: part.rootName,
    outside,
    cores: machine.cores,
    clockTicks,
    intervalMs: SAMPLE_MS,
  });
  current = { child, sampler };
  sampler.start();
  const lines: TimedLine[] = [];
  const onLine = (line: string) => {
    lines.push({ t: Date.now(), line });
    log.write(`${line}\n`);
    process.stdout.write(`  [${tag}] ${line}\n`);
  };
  const stdoutDone = new Promise((done) =>
    createInterface({ input: child.stdout }).on('line', onLine).on('close', done),
  );
  const stderrDone = new Promise((done) =>
    createInterface({ input: child.stderr }).on('line', onLine).on('close', done),
  );
  const exitCode = await new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  await Promise.all([stdoutDone, stderrDone]);
  const endedAt = Date.now();
  const record = sampler.stop();
  current = undefined;
  log.end();

  let json: unknown;
  let error: string | undefined;
  const resultFile = part.resultFile(settings, workspaceRoot);
  if (exitCode !== 0) error = `exited with code ${exitCode}`;
  else {
    try {
      json = JSON.parse(readFileSync(resultFile, 'utf8'));
    } catch (cause) {
      error = `no readable result at ${show(resultFile)}: ${(cause as Error).message}`;
    }
  }
  restoreCurrent();
  restoreCurrent = undefined;
  const keptResult = part.overwrites.length > 0 ? join(runDir, basename(resultFile)) : resultFile;
  const extracted =
    json === undefined ? { figures: [], phases: [] } : part.extract({ json, lines, startedAt, endedAt });
  if (json !== undefined && extracted.figures.length === 0) error = `its result at ${show(keptResult)} held no figures`;
  const seconds = Math.round((endedAt - startedAt) / 100) / 10;
  say(`${tag}: ${error ? `FAILED (${error})` : 'done'} in ${formatDuration(seconds)}; output in ${show(logFile)}`);
  return {
    index,
    seconds,
    exitCode,
    ...(error ? { error } : {}),
    logFile: show(logFile),
    ...(json === undefined ? {} : { resultFile: show(keptResult) }),
    figures: extracted.figures,
    ...(extracted.notes && extracted.notes.length > 0 ? { notes: extracted.notes } : {}),
    processes: processTotals(record),
    profiles: extracted.phases.map((phase) => phaseProfile(record, phase)),
  };
}

async function dropKeyspace(keyspace: string): Promise<void> {
  const client = new cassandra.Client({ contactPoints: [CASSANDRA], localDataCenter: 'datacenter1' });
  try {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  } catch (error) {
    say(`could not drop keyspace ${keyspace}: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}

// Ctrl-C: stop the running benchmark and whatever it started, put back files it overwrote.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: stopping the running benchmark`);
    const running = current;
    running?.child.kill('SIGTERM');
    setTimeout(() => {
      for (const pid of running?.sampler.spawnedPids() ?? []) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      restoreCurrent?.();
      process.exit(130);
    }, 5_000);
  });
}

// --- the whole bench -------------------------------------------------------------------------------

const began = Date.now();
const startedAt = new Date(began).toISOString();
mkdirSync(WORK, { recursive: true });
mkdirSync(OUT, { recursive: true });
say(
  `${QUICK ? 'quick smoke run' : 'full run'}: ${parts.map((p) => `${p.name} ×${runsOf(p)}`).join(', ')}` +
    ` → ${show(join(OUT, 'latest.md'))} and latest.json; each run's output and result in ${show(WORK)}`,
);
if (OWN_CASSANDRA && parts.some((part) => part.needsCassandra)) {
  say('starting Cassandra unless it runs (scripts/infra.sh up cassandra; ./pulse down stops it)');
  const up = spawnSync('bash', [join(workspaceRoot, 'scripts/infra.sh'), 'up', 'cassandra'], { stdio: 'inherit' });
  if (up.status !== 0) {
    say('could not start Cassandra: see the lines above');
    process.exit(1);
  }
}
const machine = await machineFacts(workspaceRoot, CASSANDRA);
say(
  `machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.os}; Node ${machine.node}, ` +
    `Java ${machine.java}, NATS ${machine.nats}, Cassandra ${machine.cassandra}; commit ${machine.gitCommit}${machine.gitDirty ? ' (dirty)' : ''}`,
);
const clockTicks = clockTicksPerSecond();
const reports: PartReport[] = [];
for (const part of parts) {
  const partBegan = Date.now();
  const runs: PartRun[] = [];
  const total = runsOf(part);
  for (let index = 1; index <= total; index += 1) runs.push(await runOnce(part, index, total, clockTicks));
  const seconds = Math.round((Date.now() - partBegan) / 100) / 10;
  const sample = part.args({ quick: QUICK, runDir: '<run dir>', cassandra: CASSANDRA, session: SESSION });
  const keyspace = part.keyspace?.({ quick: QUICK, runDir: '', cassandra: CASSANDRA, session: SESSION });
  if (keyspace) await dropKeyspace(keyspace);
  const succeeded = runs.filter((run) => !run.error);
  reports.push({
    name: part.name,
    title: part.title,
    seconds,
    command: `node ${part.script} ${sample.join(' ')}`,
    runs,
    figures: summarizeFigures(succeeded, machine.cores),
    processes: summarizeProcesses(succeeded),
  });
  say(`${part.name}: ${succeeded.length} of ${total} runs succeeded in ${formatDuration(seconds)}`);
}

const report: LatestReport = {
  startedAt,
  finishedAt: new Date().toISOString(),
  wallSeconds: Math.round((Date.now() - began) / 100) / 10,
  command: COMMAND,
  quick: QUICK,
  machine,
  parts: reports,
};
const markdown = renderMarkdown(report);
writeFileSync(join(OUT, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(OUT, 'latest.md'), markdown);
writeFileSync(join(WORK, 'latest.md'), markdown);
process.stdout.write(`\n${markdown}\n`);
say(`time per benchmark: ${reports.map((r) => `${r.name} ${formatDuration(r.seconds)}`).join(', ')}`);
say(`all done in ${formatDuration(report.wallSeconds)}`);
say(`wrote ${show(join(OUT, 'latest.md'))} and ${show(join(OUT, 'latest.json'))}; runs' output in ${show(WORK)}`);
const failed = reports.flatMap((r) => r.runs.filter((run) => run.error).map((run) => `${r.name} run ${run.index}`));
if (failed.length > 0) {
  say(`FAILED: ${failed.join(', ')}`);
  process.exit(1);
}
process.exit(0);
