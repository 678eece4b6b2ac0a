/**
 * Query benchmark: the store's gRPC MetricsService on this machine, over a realistic day of
 * partials — 16 partitions, ~50 products (Zipf-like), 5 categories, 6 countries, 3 channels,
 * minute, hour and day windows — written through the built store's own consumer (partials
 * published to a private NATS, the store writes them to Cassandra in a keyspace of its own).
 * Then, with 16 concurrent clients (each its own channel), it measures latency (p50/p99) and
 * throughput of
 *   (a) 24 h of 1-minute points of one dimension (`all`: 1,440 windows × 16 partitions),
 *   (b) the top-10 products by revenue over a day,
 *   (c) the session funnel over a day,
 * and the same queries from one client alone (the uncontended latency). Writes bench/results/query.{md,json}.
 *
 *   node dist/bench/src/query-bench.js [--cassandra 127.0.0.1:9042] [--seconds 20] [--clients 16]
 *                                      [--events-per-second 1]
 */
import { MetricsClient } from '@pulse/client';
import { hashApiKey } from '@pulse/config';
import {
  GRANULARITIES,
  proto,
  SKETCH_METRICS,
  STREAMS,
  subjects,
  SUM_METRICS,
  windowStart,
  type Granularity,
  type SketchMetric,
  type SumMetric,
} from '@pulse/contracts';
import { DistinctSketch } from '@pulse/sketches';
import { freePort, PrivateNats, ServiceProcess, workspaceRoot } from '@pulse/testing';

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import cassandra from 'cassandra-driver';
import { build } from 'hdr-histogram-js';

import { machineFacts, peakRssMiB } from './bench-report.js';

const { values } = parseArgs({
  options: {
    cassandra: { type: 'string', default: process.env.PULSE_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    clients: { type: 'string', default: '16' },
    'events-per-second': { type: 'string', default: '1' },
    /** Reuse this keyspace when it already holds the seeded day (skips the ~3 min seeding). */
    keyspace: { type: 'string' },
    /** Keep the keyspace afterwards (to re-run with --keyspace). */
    keep: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
const CLIENTS = Number(values.clients);
const EVENTS = Math.round(Number(values['events-per-second']) * 86_400);
const PARTITIONS = 16;
const PRODUCTS = 50;
const DAY = 86_400_000;
const D0 = Date.UTC(2026, 10, 24);
const TENANT = 'bench';
const KEY = `bench-${Date.now().toString(36)}`;
const { Granularity: G } = proto.pulse.store.v1;

// --- a day of shop traffic, folded into window partials the way the aggregator defines them ----
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Row {
  granularity: Granularity;
  start: number;
  dimension: string;
  partition: number;
  metrics: Record<SumMetric, number>;
  sets: Record<SketchMetric, Set<string>>;
}

function dayOfPartials(): Row[] {
  const next = random(42);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  const rows = new Map<string, Row>();
  for (let i = 0; i < EVENTS; i += 1) {
    const at = D0 + Math.floor(next() * DAY);
    const session = Math.floor(next() * EVENTS * 0.15);
    const user = `u-${session % Math.max(1, Math.floor(EVENTS * 0.08))}`;
    const partition = Number.parseInt(user.slice(2), 10) % PARTITIONS;
    const roll = next();
    const type =
      roll < 0.3
        ? 'page_view'
        : roll < 0.75
          ? 'product_view'
          : roll < 0.88
            ? 'add_to_cart'
            : roll < 0.95
              ? 'checkout'
              : 'purchase';
    const product = type === 'page_view' ? undefined : `SKU-${Math.floor(PRODUCTS * next() ** 2.2)}`;
    const dimensions = [
      'all',
      ...(product ? [`product:${product}`, `category:cat-${Number(product.slice(4)) % 5}`] : []),
      `country:${pick(['DE', 'GB', 'FR', 'US', 'NL', 'SE'])}`,
      `channel:${pick(['web', 'ios', 'android'])}`,
    ];
    for (const granularity of ['1m', '1h', '1d'] as const) {
      const start = windowStart(at, granularity);
      for (const dimension of dimensions) {
        const id = `${granularity}|${start}|${dimension}|${partition}`;
        let row = rows.get(id);
        if (!row) {
          row = {
            granularity,
            start,
            dimension,
            partition,
            metrics: Object.fromEntries(SUM_METRICS.map((m) => [m, 0])) as Row['metrics'],
            sets: Object.fromEntries(SKETCH_METRICS.map((m) => [m, new Set<string>()])) as Row['sets'],
          };
          rows.set(id, row);
        }
        row.metrics.events += 1;
        row.sets.unique_users.add(user);
        row.sets.unique_sessions.add(`s-${session}`);
        if (type === 'page_view') row.metrics.page_views += 1;
        if (type === 'product_view') {
          row.metrics.product_views += 1;
          row.sets.funnel_viewed.add(`s-${session}`);
        }
        if (type === 'add_to_cart') {
          row.metrics.add_to_cart += 1;
          row.sets.funnel_added.add(`s-${session}`);
        }
        if (type === 'checkout') {
          row.metrics.checkouts += 1;
          row.sets.funnel_checked_out.add(`s-${session}`);
        }
        if (type === 'purchase') {
          row.metrics.purchases += 1;
          row.metrics.orders += 1;
          row.metrics.units += 1;
          row.metrics.revenue += 500 + Math.floor(next() * 9_500);
          row.sets.funnel_purchased.add(`s-${session}`);
        }
      }
    }
  }
  return [...rows.values()];
}

function encodePartial(row: Row, version: number): Uint8Array {
  const sketches = Object.fromEntries(
    SKETCH_METRICS.map((metric) => {
      const sketch = new DistinctSketch();
      for (const value of row.sets[metric]) sketch.add(value);
      return [metric, sketch.toBase64()];
    }),
  );
  const partial = {
    v: 1,
    tenant: TENANT,
    granularity: row.granularity,
    window_start: row.start,
    dimension: row.dimension,
    partition: row.partition,
    version,
    closed: true,
    metrics: row.metrics,
    sketches,
  };
  return new TextEncoder().encode(JSON.stringify(partial));
}

// --- the store, fed through its consumer -------------------------------------------------------
const runDir = join(workspaceRoot, '.run/bench-query');
mkdirSync(runDir, { recursive: true });
const keysFile = join(runDir, 'api-keys.json');
writeFileSync(keysFile, JSON.stringify({ keys: [{ tenant: TENANT, sha256: hashApiKey(KEY), scopes: ['query'] }] }));
const keyspace = values.keyspace ?? `pulse_qbench_${Date.now().toString(36)}`;
const nats = new PrivateNats(await freePort());
await nats.start();
let grpcPort = 0;
let store: ServiceProcess | undefined;
const storePid = () => store?.pid;
process.on('exit', () => store?.signal('SIGKILL'));
/** (Re)starts the store; `settledCacheMb` 0 turns the settled-window cache off (every read cold). */
async function startStore(settledCacheMb: number): Promise<void> {
  await store?.stop();
  const httpPort = await freePort();
  grpcPort = await freePort();
  store = new ServiceProcess({
    name: 'store',
    env: {
      PULSE_NATS_URL: nats.url,
      PULSE_API_KEYS_FILE: keysFile,
      PULSE_CASSANDRA_CONTACT_POINTS: values.cassandra,
      PULSE_CASSANDRA_KEYSPACE: keyspace,
      PULSE_PARTITIONS: String(PARTITIONS),
      PULSE_STORE_HOST: '127.0.0.1',
      PULSE_STORE_HTTP_PORT: String(httpPort),
      PULSE_STORE_GRPC_PORT: String(grpcPort),
      PULSE_STORE_SETTLED_CACHE_MB: String(settledCacheMb),
      PULSE_STREAM_MAX_BYTES: '-1',
      OTEL_SDK_DISABLED: 'true',
    },
    readyUrl: `http://127.0.0.1:${httpPort}/readyz`,
    logFile: join(runDir, 'store.log'),
  });
  await store.start(180_000);
}
await startStore(0);

const day = { from: D0, to: D0 + DAY };
/** Events of the seeded day as the store answers them (a day window: never the measured queries). */
async function storedEvents(): Promise<number | undefined> {
  const probe = new MetricsClient({ address: `127.0.0.1:${grpcPort}`, apiKey: KEY });
  try {
    const answer = await probe.getSeries({ metric: 'events', granularity: G.GRANULARITY_DAY, ...day });
    return answer.points[0]?.value;
  } finally {
    probe.close();
  }
}

const seedBegan = performance.now();
const rows = dayOfPartials();
const counts = { '1m': 0, '1h': 0, '1d': 0 } as Record<Granularity, number>;
for (const row of rows) counts[row.granularity] += 1;
const reused = values.keyspace !== undefined && (await storedEvents()) === EVENTS;
if (reused) process.stdout.write(`keyspace ${keyspace} already holds the day: not seeding again\n`);
else await seed();
const seedSeconds = reused ? undefined : Math.round((performance.now() - seedBegan) / 100) / 10;
if (seedSeconds !== undefined) process.stdout.write(`seeded in ${seedSeconds} s\n`);

async function seed(): Promise<void> {
  process.stdout.write(
    `seeding ${rows.length.toLocaleString('en')} partials (${EVENTS.toLocaleString('en')} events: ${Object.entries(
      counts,
    )
      .map(([g, n]) => `${n.toLocaleString('en')} × ${g}`)
      .join(', ')}) through the store's consumer...\n`,
  );
  const nc = await connect({ servers: nats.url });
  const js = jetstream(nc);
  /** A partial re-published after a timeout is harmless: the store upserts the same version again. */
  async function publish(subject: string, body: Uint8Array): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await js.publish(subject, body, { timeout: 30_000 });
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
      }
    }
  }
  for (let i = 0; i < rows.length; i += 250) {
    await Promise.all(
      rows.slice(i, i + 250).map((row, j) => publish(subjects.agg(row.partition), encodePartial(row, i + j + 1))),
    );
  }
  const jsm = await jetstreamManager(nc);
  for (;;) {
    const info = await jsm.consumers.info(STREAMS.agg.name, 'store');
    if (info.num_pending === 0 && info.num_ack_pending === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await nc.close();
}

// --- the measurements ----------------------------------------------------------------------------
interface Scenario {
  name: string;
  call: (client: MetricsClient) => Promise<unknown>;
}
const scenarios: Scenario[] = [
  {
    name: '(a) GetSeries: 24 h of 1-minute points, dimension `all` (1,440 windows × 16 partitions)',
    call: (client) => client.getSeries({ metric: 'events', granularity: G.GRANULARITY_MINUTE, ...day }),
  },
  {
    name: '(b) TopDimensions: top-10 products by revenue over a day',
    call: (client) => client.topDimensions({ kind: 'product', metric: 'revenue', k: 10, ...day }),
  },
  {
    name: '(c) Funnel: session funnel over a day',
    call: (client) => client.funnel({ ...day }),
  },
];

let clients: MetricsClient[] = [];
function connectClients(): void {
  for (const client of clients) client.close();
  clients = Array.from(
    { length: CLIENTS },
    () => new MetricsClient({ address: `127.0.0.1:${grpcPort}`, apiKey: KEY, deadlineMs: 30_000 }),
  );
}
connectClients();
// Sanity: the answers describe the seeded day.
const stored = await storedEvents();
if (stored !== EVENTS) throw new Error(`store holds ${stored} events, expected ${EVENTS}`);
// Minute windows of `all` that every partition wrote (closed): what the settled-window cache may keep.
const partitionsPerMinute = new Map<number, number>();
for (const row of rows) {
  if (row.granularity === '1m' && row.dimension === 'all')
    partitionsPerMinute.set(row.start, (partitionsPerMinute.get(row.start) ?? 0) + 1);
}
const settledMinutes = [...partitionsPerMinute.values()].filter((n) => n === PARTITIONS).length;

async function measure(scenario: Scenario, concurrency: number) {
  const histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  let errors = 0;
  let requests = 0;
  const run = async (seconds: number, record: boolean) => {
    const end = performance.now() + seconds * 1000;
    await Promise.all(
      clients.slice(0, concurrency).map(async (client) => {
        while (performance.now() < end) {
          const began = performance.now();
          try {
            await scenario.call(client);
            if (record) {
              histogram.recordValue(Math.max(1, Math.round((performance.now() - began) * 1000)));
              requests += 1;
            }
          } catch {
            if (record) errors += 1;
          }
        }
      }),
    );
  };
  await run(WARMUP, false);
  const began = performance.now();
  await run(SECONDS, true);
  const elapsed = (performance.now() - began) / 1000;
  const ms = (quantile: number) => Math.round(histogram.getValueAtPercentile(quantile) / 100) / 10;
  return {
    scenario: scenario.name,
    clients: concurrency,
    requests,
    errors,
    perSecond: Math.round((requests / elapsed) * 10) / 10,
    p50Ms: ms(50),
    p99Ms: ms(99),
    maxMs: Math.round(histogram.maxValue / 100) / 10,
  };
}

// Cold: the settled-window cache off, so every read goes to Cassandra (what a first read costs).
// Each scenario under the specified concurrency, then alone (one client: the uncontended latency).
const results = [];
for (const concurrency of [CLIENTS, 1]) {
  for (const scenario of scenarios) {
    const result = { ...(await measure(scenario, concurrency)), cache: 'off (cold)' };
    results.push(result);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}
// Warm: a store with the default cache; its first (a) read fills it, later ones read from
// Cassandra only the windows not settled.
const coldStoreRss = peakRssMiB(storePid());
await startStore(64);
connectClients();
const [series] = scenarios;
const [firstClient] = clients;
if (!series || !firstClient) throw new Error('no (a) scenario or no client');
const firstBegan = performance.now();
await series.call(firstClient);
const firstReadMs = Math.round((performance.now() - firstBegan) * 10) / 10;
process.stdout.write(`(a) first read with the cache on: ${firstReadMs} ms\n`);
for (const concurrency of [CLIENTS, 1]) {
  const result = { ...(await measure(series, concurrency)), cache: 'on (warm)' };
  results.push(result);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
const storeRss = Math.max(coldStoreRss ?? 0, peakRssMiB(storePid()) ?? 0) || undefined;
for (const client of clients) client.close();
await store?.stop();
await nats.destroy();
const cql = new cassandra.Client({ contactPoints: [values.cassandra], localDataCenter: 'datacenter1' });
if (!values.keep) await cql.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
await cql.shutdown();

const machine = machineFacts();
const report = {
  when: new Date().toISOString(),
  machine,
  dataset: {
    events: EVENTS,
    partitions: PARTITIONS,
    products: PRODUCTS,
    partials: counts,
    seedSeconds,
  },
  clients: CLIENTS,
  secondsPerScenario: SECONDS,
  results,
  firstSeriesReadWithCacheMs: firstReadMs,
  settledMinuteWindows: settledMinutes,
  storePeakRssMiB: storeRss,
  granularityWindowMs: GRANULARITIES,
};
const md = [
  `| query (${SECONDS} s each) | settled-window cache | clients | p50 ms | p99 ms | queries/s | errors |`,
  '|---|---|---|---|---|---|---|',
  ...results.map(
    (r) => `| ${r.scenario} | ${r.cache} | ${r.clients} | ${r.p50Ms} | ${r.p99Ms} | ${r.perSecond} | ${r.errors} |`,
  ),
  '',
  `Cold: a store with \`PULSE_STORE_SETTLED_CACHE_MB=0\`, every read from Cassandra — what the first read of a series costs. Warm: a store with the cache on; its first (a) read took ${firstReadMs} ms (it fills the cache). Of the 1,440 minutes of \`all\`, ${settledMinutes.toLocaleString('en')} have a closed row in all ${PARTITIONS} partitions; the other ${(1_440 - settledMinutes).toLocaleString('en')} lack one partition and are proven settled by their closed hours (docs/storage.md). Warm reads of (a) touch Cassandra only for windows not yet settled — none in this closed day.`,
  '',
  `A day of ${EVENTS.toLocaleString('en')} events as ${(counts['1m'] + counts['1h'] + counts['1d']).toLocaleString('en')} partials (${counts['1m'].toLocaleString('en')} minute, ${counts['1h'].toLocaleString('en')} hour, ${counts['1d'].toLocaleString('en')} day; ${PARTITIONS} partitions, ${PRODUCTS} products), written through the store's consumer${seedSeconds === undefined ? " (an earlier run's keyspace)" : ` in ${seedSeconds} s`}. Store peak RSS ${storeRss ?? '?'} MiB; ${machine.cpus} cores (${machine.cpuModel}), Node ${machine.node}; Cassandra, the store and the ${CLIENTS} clients share the machine.`,
].join('\n');
mkdirSync(join(workspaceRoot, 'bench/results'), { recursive: true });
writeFileSync(join(workspaceRoot, 'bench/results/query.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(workspaceRoot, 'bench/results/query.md'), `${md}\n`);
process.stdout.write(`${md}\n`);
process.exit(0);
