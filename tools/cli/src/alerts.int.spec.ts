import { hashApiKey } from '@pulse/config';
import { SKETCH_METRICS, STREAMS, subjects, SUM_METRICS, type WindowPartialV1 } from '@pulse/contracts';
import { DistinctSketch } from '@pulse/sketches';
import { freePort, PrivateNats, ServiceProcess, workspaceRoot } from '@pulse/testing';

import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import cassandra from 'cassandra-driver';

import { runCli } from './cli.js';

// `pulse alerts`, `forecast` and `backtest` against the built store and the built forecast service
// as child processes (a NATS server of the test's own, Cassandra in a keyspace of its own). The
// store is fed hourly revenue partials of the last 100 hours through its NATS consumer — a daily
// shape with a little noise — and the last closed hour gets three times its usual revenue: the
// anomaly watcher (ticking every second, its closing delay set to 0 because the partials arrive
// final) raises a spike alert for it on its first tick.
const TENANT = 'cli-alerts';
const KEY = 'cli-alerts-key';
const HOUR = 3_600_000;
const HISTORY_HOURS = 100;
const CASSANDRA = process.env.PULSE_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:19042';

/** Deterministic revenue of an hour: a daily cycle between 20,000 and 80,000 (minor units), ±2 %. */
function revenueAt(windowStart: number): number {
  const hourOfDay = new Date(windowStart).getUTCHours();
  const noise = (((windowStart / HOUR) * 2_654_435_761) % 1_000) / 1_000 - 0.5; // in [-0.5, 0.5)
  return Math.round((50_000 + 30_000 * Math.sin((2 * Math.PI * hourOfDay) / 24)) * (1 + 0.04 * noise));
}

function partial(windowStart: number, revenue: number, version: number): WindowPartialV1 {
  const empty = new DistinctSketch().toBase64();
  return {
    v: 1,
    tenant: TENANT,
    granularity: '1h',
    window_start: windowStart,
    dimension: 'all',
    partition: 0,
    version,
    closed: true,
    metrics: Object.fromEntries(SUM_METRICS.map((metric) => [metric, metric === 'revenue' ? revenue : 0])),
    sketches: Object.fromEntries(SKETCH_METRICS.map((metric) => [metric, empty])),
  };
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('pulse alerts, forecast and backtest against the built forecast service', () => {
  let nats: PrivateNats;
  let store: ServiceProcess;
  let forecast: ServiceProcess;
  let keyspace: string;
  let forecastAddress: string;
  /** The spiked window: the last hour that closed before the test began. */
  const spikeStart = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
  const spikeId = `${TENANT}:revenue:all:1h:${spikeStart}`;

  function io(signal?: AbortSignal) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    return {
      io: {
        stdout: { write: (text: string) => stdout.push(text) },
        stderr: { write: (text: string) => stderr.push(text) },
        env: { PULSE_API_KEY: KEY, PULSE_FORECAST_ADDR: forecastAddress },
        now: Date.now,
        signal,
      },
      stdout: () => stdout.join(''),
      stderr: () => stderr.join(''),
    };
  }

  async function pulse(...argv: string[]) {
    const run = io();
    const code = await runCli(argv, run.io);
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  }

  beforeAll(async () => {
    nats = new PrivateNats(await freePort());
    await nats.start();
    const dir = mkdtempSync(join(tmpdir(), 'pulse-cli-alerts-'));
    const apiKeysFile = join(dir, 'keys.json');
    writeFileSync(apiKeysFile, JSON.stringify({ keys: [{ tenant: TENANT, sha256: hashApiKey(KEY) }] }));
    const watchKeysFile = join(dir, 'watch-keys.json');
    writeFileSync(watchKeysFile, JSON.stringify({ keys: [{ tenant: TENANT, key: KEY }] }));
    keyspace = `pulse_it_cli_alerts_${Date.now().toString(36)}`;
    const [storeHttp, storeGrpc, forecastHttp, forecastGrpc] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    forecastAddress = `127.0.0.1:${forecastGrpc}`;
    store = new ServiceProcess({
      name: 'store',
      env: {
        PULSE_NATS_URL: nats.url,
        PULSE_API_KEYS_FILE: apiKeysFile,
        PULSE_CASSANDRA_CONTACT_POINTS: CASSANDRA,
        PULSE_CASSANDRA_KEYSPACE: keyspace,
        PULSE_STORE_HOST: '127.0.0.1',
        PULSE_STORE_HTTP_PORT: String(storeHttp),
        PULSE_STORE_GRPC_PORT: String(storeGrpc),
      },
      readyUrl: `http://127.0.0.1:${storeHttp}/readyz`,
      logFile: join(dir, 'store.log'),
    });
    // Started by the first test, while `pulse alerts --follow` is already waiting for it.
    forecast = new ServiceProcess({
      name: 'forecast',
      env: {
        PULSE_NATS_URL: nats.url,
        PULSE_API_KEYS_FILE: apiKeysFile,
        PULSE_STORE_ADDR: `127.0.0.1:${storeGrpc}`,
        PULSE_FORECAST_HOST: '127.0.0.1',
        PULSE_FORECAST_HTTP_PORT: String(forecastHttp),
        PULSE_FORECAST_GRPC_PORT: String(forecastGrpc),
        PULSE_FORECAST_WATCH_KEYS_FILE: watchKeysFile,
        PULSE_FORECAST_WATCH_INTERVAL_MS: '1000',
        PULSE_FORECAST_WATCH_METRICS: 'revenue',
        PULSE_FORECAST_WATCH_TOP_PRODUCTS: '0',
        PULSE_FORECAST_WATCH_CATCH_UP_WINDOWS: '3',
        PULSE_AGGREGATOR_ALLOWED_LATENESS_MS: '0',
        PULSE_AGGREGATOR_OUT_OF_ORDERNESS_MS: '0',
        PULSE_SHUTDOWN_TIMEOUT_MS: '5000',
      },
      readyUrl: `http://127.0.0.1:${forecastHttp}/readyz`,
      logFile: join(dir, 'forecast.log'),
    });
    await store.start(120_000);

    const nc = await connect({ servers: nats.url });
    try {
      const js = jetstream(nc);
      const first = spikeStart - (HISTORY_HOURS - 1) * HOUR;
      let version = 0;
      for (let start = first; start <= spikeStart; start += HOUR) {
        const revenue = start === spikeStart ? 3 * revenueAt(start) : revenueAt(start);
        version += 1;
        await js.publish(subjects.agg(0), new TextEncoder().encode(JSON.stringify(partial(start, revenue, version))));
      }
      const jsm = await jetstreamManager(nc);
      for (const deadline = Date.now() + 60_000; ;) {
        const info = await jsm.consumers.info(STREAMS.agg.name, 'store');
        if (info.num_pending === 0 && info.num_ack_pending === 0) break;
        if (Date.now() > deadline) throw new Error('the store did not consume the history');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await nc.close();
    }
  }, 180_000);

  afterAll(async () => {
    await forecast?.stop();
    await store?.stop();
    await nats?.destroy();
    const cql = new cassandra.Client({ contactPoints: [CASSANDRA], localDataCenter: 'datacenter1' });
    await cql.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await cql.shutdown();
  }, 60_000);

  it('pulse alerts --follow waits (reconnecting, on stderr) for the service, prints the spike as NDJSON, exits 0 when stopped', async () => {
    const controller = new AbortController();
    const run = io(controller.signal);
    const following = runCli(['alerts', '--follow', '--json'], run.io);
    await until(() => run.stderr().includes('reconnecting'), 10_000, 'a reconnect message');
    await forecast.start(60_000);
    await until(() => run.stdout().includes(spikeId), 60_000, `the alert ${spikeId}`);
    controller.abort();
    await expect(following).resolves.toBe(0);

    const lines = run.stdout().trimEnd().split('\n');
    const alerts = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(alerts.find((alert) => alert.id === spikeId)).toMatchObject({
      metric: 'revenue',
      dimension: 'all',
      granularity: '1h',
      direction: 'ANOMALY_DIRECTION_SPIKE',
      windowStart: new Date(spikeStart).toISOString(),
      windowEnd: new Date(spikeStart + HOUR).toISOString(),
      actual: 3 * revenueAt(spikeStart),
    });
    expect(new Set(alerts.map((alert) => alert.id)).size).toBe(alerts.length); // none twice
    expect(run.stderr()).toMatch(
      /^pulse alerts: the forecast service is unavailable \(UNAVAILABLE: [^)]*\); reconnecting in \d+ ms$/m,
    );
  }, 120_000);

  it('pulse alerts lists the spike as a table row and as JSON', async () => {
    const table = await pulse('alerts', '--since', '-1h');
    expect(table).toMatchObject({ code: 0, stderr: '' });
    const window = new Date(spikeStart).toISOString().slice(0, 16).replace('T', ' ');
    const row = table.stdout.split('\n').find((line) => line.includes(`${window}  revenue all 1h`));
    expect(row).toMatch(
      / (critical|warning)\s+spike\s+[\d,]+\s+[\d,]+\s+[\d,]+ … [\d,]+\s+[\d.]+\s+(seasonal-naive|linear|holt-winters)$/,
    );
    expect(table.stdout).toMatch(/^# \d+ alert\(s\) raised since /m);

    const json = await pulse('alerts', '--since', '-1h', '--json');
    const { alerts } = JSON.parse(json.stdout) as { alerts: Array<{ id: string; actual: number }> };
    expect(alerts.find((alert) => alert.id === spikeId)?.actual).toBe(3 * revenueAt(spikeStart));
    // Nothing was raised in the future.
    const none = await pulse('alerts', '--since', new Date(Date.now() + HOUR).toISOString().slice(0, 16));
    expect(none.stdout).toMatch(/^# 0 alert\(s\) raised since /);
  });

  it('pulse forecast and pulse backtest answer from the store history', async () => {
    const forecastRun = await pulse('forecast', '--horizon', '6', '--model', 'seasonal-naive');
    expect(forecastRun).toMatchObject({ code: 0, stderr: '' });
    const rows = forecastRun.stdout.split('\n').filter((line) => /^\d{4}-\d{2}-\d{2} \d{2}:00 /.test(line));
    expect(rows).toHaveLength(6);
    expect(forecastRun.stdout).toContain('# revenue of all per 1h, model seasonal-naive');

    const backtest = await pulse(
      'backtest',
      '--horizon',
      '6',
      '--origins',
      '3',
      '--models',
      'seasonal-naive,linear',
      '--json',
    );
    expect(backtest.code).toBe(0);
    const response = JSON.parse(backtest.stdout) as {
      models: Array<{ model: string; points: number }>;
      origins: string[];
    };
    expect(response.models.map((model) => model.model)).toEqual([
      'FORECAST_MODEL_SEASONAL_NAIVE',
      'FORECAST_MODEL_LINEAR',
    ]);
    expect(response.origins).toHaveLength(3);
    expect(response.models.every((model) => model.points === 18)).toBe(true);
  });

  it('the built binary follows alerts until SIGINT and exits 0', async () => {
    const child = spawn(
      process.execPath,
      [join(workspaceRoot, 'dist/tools/cli/src/main.js'), 'alerts', '--follow', '--since', '-1h', '--json'],
      { env: { ...process.env, PULSE_API_KEY: KEY, PULSE_FORECAST_ADDR: forecastAddress }, stdio: 'pipe' },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await until(() => stdout.includes(spikeId), 20_000, 'the replayed alert');
    child.kill('SIGINT');
    await expect(exited).resolves.toBe(0);
  }, 30_000);
});
