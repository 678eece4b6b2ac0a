import { hashApiKey } from '@pulse/config';
import { SKETCH_METRICS, STREAMS, subjects, SUM_METRICS, type WindowPartialV1 } from '@pulse/contracts';
import { DistinctSketch } from '@pulse/sketches';
import { freePort, PrivateNats, ServiceProcess, workspaceRoot } from '@pulse/testing';

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import cassandra from 'cassandra-driver';

import { runCli } from './cli.js';

// The CLI against the built store (dist/services/store) as a child process, fed a handful of
// partials through its NATS consumer; Cassandra is the test instance, in a keyspace of its own.
const KEY = 'cli-test-key';
const D0 = Date.UTC(2026, 10, 24);
const MINUTE = 60_000;

function partial(spec: {
  granularity: WindowPartialV1['granularity'];
  start: number;
  dimension: string;
  partition: number;
  metrics: Partial<Record<(typeof SUM_METRICS)[number], number>>;
  sessions?: Partial<Record<(typeof SKETCH_METRICS)[number], string[]>>;
}): WindowPartialV1 {
  version += 1;
  return {
    v: 1,
    tenant: 'cli-shop',
    granularity: spec.granularity,
    window_start: spec.start,
    dimension: spec.dimension,
    partition: spec.partition,
    version,
    closed: true,
    metrics: Object.fromEntries(SUM_METRICS.map((metric) => [metric, spec.metrics[metric] ?? 0])),
    sketches: Object.fromEntries(
      SKETCH_METRICS.map((metric) => {
        const sketch = new DistinctSketch();
        for (const value of spec.sessions?.[metric] ?? []) sketch.add(value);
        return [metric, sketch.toBase64()];
      }),
    ),
  };
}
let version = 0;

/** Two partitions; minute 10:00 has 5 + 2 events, 10:01 has 3; SKU-2 outsells SKU-1. */
function seed(): WindowPartialV1[] {
  const partials: WindowPartialV1[] = [];
  for (const [granularity, start] of [
    ['1m', D0 + 600 * MINUTE],
    ['1h', D0 + 10 * 60 * MINUTE],
    ['1d', D0],
  ] as const) {
    partials.push(
      partial({ granularity, start, dimension: 'product:SKU-1', partition: 0, metrics: { events: 2, revenue: 1_200 } }),
      partial({ granularity, start, dimension: 'product:SKU-2', partition: 1, metrics: { events: 3, revenue: 3_400 } }),
    );
  }
  const funnel = {
    unique_users: ['u1', 'u2'],
    unique_sessions: ['s1', 's2', 's3'],
    funnel_viewed: ['s1', 's2', 's3'],
    funnel_added: ['s1', 's2'],
    funnel_checked_out: ['s1'],
    funnel_purchased: ['s1'],
  };
  partials.push(
    partial({ granularity: '1m', start: D0 + 600 * MINUTE, dimension: 'all', partition: 0, metrics: { events: 5 } }),
    partial({ granularity: '1m', start: D0 + 600 * MINUTE, dimension: 'all', partition: 1, metrics: { events: 2 } }),
    partial({ granularity: '1m', start: D0 + 601 * MINUTE, dimension: 'all', partition: 1, metrics: { events: 3 } }),
    partial({
      granularity: '1d',
      start: D0,
      dimension: 'all',
      partition: 0,
      metrics: { events: 10 },
      sessions: funnel,
    }),
  );
  return partials;
}

describe('pulse CLI against the built store', () => {
  let nats: PrivateNats;
  let store: ServiceProcess;
  let keyspace: string;
  let storeAddress: string;

  async function pulse(...argv: string[]) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runCli(argv, {
      stdout: { write: (text: string) => stdout.push(text) },
      stderr: { write: (text: string) => stderr.push(text) },
      env: { PULSE_API_KEY: KEY, PULSE_STORE_ADDR: storeAddress },
      now: () => D0 + 2 * 86_400_000,
    });
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  }

  beforeAll(async () => {
    nats = new PrivateNats(await freePort());
    await nats.start();
    const dir = mkdtempSync(join(tmpdir(), 'pulse-cli-'));
    const keysFile = join(dir, 'keys.json');
    writeFileSync(keysFile, JSON.stringify({ keys: [{ tenant: 'cli-shop', sha256: hashApiKey(KEY) }] }));
    keyspace = `pulse_it_cli_${Date.now().toString(36)}`;
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    storeAddress = `127.0.0.1:${grpcPort}`;
    store = new ServiceProcess({
      name: 'store',
      env: {
        PULSE_NATS_URL: nats.url,
        PULSE_API_KEYS_FILE: keysFile,
        PULSE_CASSANDRA_CONTACT_POINTS: process.env.PULSE_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:19042',
        PULSE_CASSANDRA_KEYSPACE: keyspace,
        PULSE_STORE_HOST: '127.0.0.1',
        PULSE_STORE_HTTP_PORT: String(httpPort),
        PULSE_STORE_GRPC_PORT: String(grpcPort),
        PULSE_STORE_MINUTE_TTL_DAYS: '1',
      },
      readyUrl: `http://127.0.0.1:${httpPort}/readyz`,
      logFile: join(dir, 'store.log'),
    });
    await store.start(120_000);
    const nc = await connect({ servers: nats.url });
    const js = jetstream(nc);
    await Promise.all(
      seed().map((p) => js.publish(subjects.agg(p.partition), new TextEncoder().encode(JSON.stringify(p)))),
    );
    const jsm = await jetstreamManager(nc);
    for (const deadline = Date.now() + 60_000; ;) {
      const info = await jsm.consumers.info(STREAMS.agg.name, 'store');
      if (info.num_pending === 0 && info.num_ack_pending === 0) break;
      if (Date.now() > deadline) throw new Error('the store did not consume the seed');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await nc.close();
  }, 180_000);

  afterAll(async () => {
    await store?.stop();
    await nats?.destroy();
    const cql = new cassandra.Client({
      contactPoints: [process.env.PULSE_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:19042'],
      localDataCenter: 'datacenter1',
    });
    await cql.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await cql.shutdown();
  }, 60_000);

  it('pulse series prints one row per minute, empty minutes as 0', async () => {
    const result = await pulse('series', '--since', '2026-11-24T10:00Z', '--until', '2026-11-24T10:03Z');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.split('\n').slice(0, 4)).toEqual([
      'window (UTC)      events',
      '2026-11-24 10:00       7',
      '2026-11-24 10:01       3',
      '2026-11-24 10:02       0',
    ]);
    expect(result.stdout).toContain('# all, 3 window(s) of 1m in [2026-11-24T10:00:00.000Z, 2026-11-24T10:03:00.000Z)');
  });

  it('pulse series --json prints the response with ISO times', async () => {
    const result = await pulse('series', '--since', '2026-11-24T10:00Z', '--until', '2026-11-24T10:02Z', '--json');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { points: Array<{ windowStart: string; values: number[] }> };
    expect(json.points.map((point) => [point.windowStart, point.values])).toEqual([
      ['2026-11-24T10:00:00.000Z', [7]],
      ['2026-11-24T10:01:00.000Z', [3]],
    ]);
  });

  it('pulse top ranks products by revenue over a relative range', async () => {
    // now is D0 + 2 days: -48h is D0.
    const result = await pulse('top', '--since', '-48h', '--until', '-24h');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(0, 3)).toEqual([
      'rank  product        revenue',
      '   1  product:SKU-2    3,400',
      '   2  product:SKU-1    1,200',
    ]);
    expect(result.stdout).toContain('ranks 1–2 of 2 product dimension(s)');
  });

  it('pulse funnel and pulse distinct print the stages and the counts', async () => {
    const funnel = await pulse('funnel', '--since', '2026-11-24', '--until', '2026-11-25');
    expect(funnel.code).toBe(0);
    expect(funnel.stdout).toMatch(/viewed\s+3\s+100\.0%\s+100\.0%/);
    expect(funnel.stdout).toMatch(/purchased\s+1\s+100\.0%\s+33\.3%/);
    const distinct = await pulse('distinct', '--since', '2026-11-24', '--until', '2026-11-25', '--json');
    expect(JSON.parse(distinct.stdout).counts).toEqual([
      { metric: 'unique_users', value: 2, exact: true },
      { metric: 'unique_sessions', value: 3, exact: true },
    ]);
  });

  it('exits 1 with the gRPC status on server refusals, a wrong key and an unreachable store', async () => {
    const refused = await pulse('top', '-k', '101', '--since', '-48h');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('pulse top: INVALID_ARGUMENT: k: must be 1 to 100 (0 means 10), got 101\n');
    const stranger = await pulse('series', '--tenant-key', 'wrong');
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toMatch(/^pulse series: UNAUTHENTICATED: unknown API key/);
    const nowhere = await pulse('series', '--store', `127.0.0.1:${await freePort()}`, '--timeout', '2s');
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toMatch(/^pulse series: (UNAVAILABLE|DEADLINE_EXCEEDED): /);
  });

  it('pulse forecast says the forecast service is not available yet when it answers UNIMPLEMENTED', async () => {
    const server = new Server(); // no services: every method is UNIMPLEMENTED
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    try {
      const result = await pulse('forecast', '--forecast', `127.0.0.1:${port}`);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^pulse forecast: not available yet: the forecast service returns UNIMPLEMENTED/);
    } finally {
      server.forceShutdown();
    }
  });

  it('the built binary exits 0, 1 and 2 as documented', () => {
    const bin = join(workspaceRoot, 'dist/tools/cli/src/main.js');
    const run = (...argv: string[]) =>
      spawnSync(process.execPath, [bin, ...argv], {
        encoding: 'utf8',
        env: { ...process.env, PULSE_API_KEY: KEY, PULSE_STORE_ADDR: storeAddress },
      });
    const ok = run('top', '--since', '2026-11-24', '--until', '2026-11-25', '--granularity', '1d');
    expect([ok.status, ok.stdout.includes('product:SKU-2')]).toEqual([0, true]);
    expect(run('top', '-k', '0', '--since', '-1h').status).toBe(2);
    expect(run('distinct', '--metric', 'revenue').status).toBe(1);
    expect(run('nonsense').status).toBe(2);
  });
});
