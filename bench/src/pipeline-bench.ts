/**
 * Pipeline benchmark: the whole write path on this machine — gateway → JetStream → cleaner →
 * aggregator → store → Cassandra, every service a built child process — measuring
 *   1. sustained events/s from the first POST until every event is visible in a store query;
 *   2. freshness: a probe event acknowledged by the gateway → visible in a store query (p50/p99),
 *      under a steady background load (one round of probes per background rate);
 *   3. peak RSS of each service.
 * Uses a private NATS and the dev Cassandra (./pulse bench starts it) with a keyspace of its own.
 * Writes pipeline.{md,json} into --out (bench/results by default); the JSON has every probe and
 * when each measure ran.
 *
 *   node dist/bench/src/pipeline-bench.js [--events 150000] [--runs 2] [--probes 20]
 *                                         [--background-rate 300,1000] [--out bench/results]
 */
import { MetricsClient, timestamp } from '@pulse/client';
import { proto } from '@pulse/contracts';
import {
  ensureLocalSecrets,
  freePort,
  LocalPlatform,
  PrivateNats,
  SERVICE_NAMES,
  workspaceRoot,
  type PlatformPorts,
} from '@pulse/testing';

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cassandra from 'cassandra-driver';

import { machineFacts, peakRssMiB, summarize } from './bench-report.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '150000' },
    runs: { type: 'string', default: '2' },
    probes: { type: 'string', default: '20' },
    'background-rate': { type: 'string', default: '300,1000' },
    out: { type: 'string', default: join(workspaceRoot, 'bench/results') },
    cassandra: { type: 'string', default: process.env.PULSE_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042' },
  },
});
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const PROBES = Number(values.probes);
const BACKGROUND_RATES = values['background-rate'].split(',').map(Number);
const OUT = resolve(values.out);
const BATCH = 500;
const LANES = 8;
const MINUTE = 60_000;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let sequence = 0;
function shopEvent(now: number) {
  sequence += 1;
  const i = sequence;
  const type = i % 10 === 0 ? 'purchase' : i % 4 === 0 ? 'add_to_cart' : i % 7 === 0 ? 'page_view' : 'product_view';
  return {
    event_id: `b-${process.pid}-${i}`,
    type,
    occurred_at: now,
    user_id: `u-${i % 20_000}`,
    session_id: `s-${i % 50_000}`,
    product_id: `SKU-${Math.floor(Math.sqrt(i % 90_000))}`,
    category: ['kitchen', 'garden', 'toys', 'books', 'audio'][i % 5],
    quantity: 1,
    price: '12.50',
    currency: ['EUR', 'GBP', 'USD'][i % 3],
    order_id: type === 'purchase' ? `o-${i}` : undefined,
    country: ['DE', 'GB', 'FR', 'US', 'NL', 'SE'][i % 6],
    channel: ['web', 'ios', 'android'][i % 3],
  };
}

async function post(url: string, apiKey: string, events: object[]): Promise<void> {
  for (;;) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({ events }),
    });
    if (response.status === 202) return;
    if (response.status !== 429 && response.status !== 503) throw new Error(`gateway answered ${response.status}`);
    await wait(Number(response.headers.get('retry-after') ?? '1') * 1000);
  }
}

let failedQueries = 0;
/**
 * Events counted for a tenant in minute windows around now (the store's gRPC query path); 0 when
 * a query fails (a deadline on a saturated machine): the callers poll again until their own limit.
 */
async function visible(client: MetricsClient, from: number): Promise<number> {
  try {
    const response = await client.getSeries({
      metric: 'events',
      dimension: 'all',
      granularity: proto.pulse.store.v1.Granularity.GRANULARITY_MINUTE,
      from: timestamp(from),
      to: timestamp(Date.now() + 10 * MINUTE),
    });
    return response.points.reduce((sum, point) => sum + point.value, 0);
  } catch (error) {
    failedQueries += 1;
    process.stdout.write(`query ${failedQueries} failed, polling on: ${(error as Error).message.split('\n')[0]}\n`);
    return 0;
  }
}

const ports: PlatformPorts = {
  gatewayHttp: await freePort(),
  cleanerHttp: await freePort(),
  aggregatorHttp: await freePort(),
  storeHttp: await freePort(),
  storeGrpc: await freePort(),
  forecastHttp: await freePort(),
  forecastGrpc: await freePort(),
};
const runDir = join(workspaceRoot, '.run/bench');
const secrets = ensureLocalSecrets(runDir, ['bench', 'probe']);
const keyspace = `pulse_bench_${Date.now().toString(36)}`;
const nats = new PrivateNats(await freePort());
await nats.start();
const platform = new LocalPlatform({
  runDir,
  ports,
  secrets,
  keyspace,
  infraEnv: { PULSE_NATS_URL: nats.url, PULSE_CASSANDRA_CONTACT_POINTS: values.cassandra },
  extraEnv: {
    'ingest-gateway': {
      PULSE_INGEST_GRPC_PORT: String(await freePort()),
      PULSE_INGEST_PUBLISH_MODE: 'batch',
      PULSE_INGEST_RATE_LIMIT_EVENTS_PER_SECOND: '0',
    },
    cleaner: { PULSE_CLEANER_PUBLISH_MODE: 'batch' },
  },
});
process.on('exit', () => platform.signalAll('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
await platform.start();
const url = `http://127.0.0.1:${ports.gatewayHttp}/v1/events`;
const benchClient = new MetricsClient({ address: `127.0.0.1:${ports.storeGrpc}`, apiKey: secrets.apiKeys.bench });
const probeClient = new MetricsClient({ address: `127.0.0.1:${ports.storeGrpc}`, apiKey: secrets.apiKeys.probe });

/** When each measure ran (epoch ms): lets a caller attribute CPU to it. */
const phases: Array<{ name: string; from: number; to: number }> = [];

// 1. Sustained throughput: EVENTS as fast as the gateway takes them, until all are visible.
const throughputFrom = Date.now();
const throughput: Array<{ eventsPerSecond: number; ingestPerSecond: number; seconds: number }> = [];
const benchFrom = Date.now() - MINUTE;
let countedBefore = 0;
for (let run = 0; run < RUNS; run += 1) {
  const began = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      while (next < EVENTS) {
        const size = Math.min(BATCH, EVENTS - next);
        next += size;
        const now = Date.now();
        await post(
          url,
          secrets.apiKeys.bench,
          Array.from({ length: size }, () => shopEvent(now)),
        );
      }
    }),
  );
  const ingested = (performance.now() - began) / 1000;
  let counted = 0;
  for (;;) {
    counted = await visible(benchClient, benchFrom);
    if (counted >= countedBefore + EVENTS) break;
    if (performance.now() - began > 900_000) throw new Error(`only ${counted - countedBefore} of ${EVENTS} visible`);
    await wait(100);
  }
  countedBefore = counted;
  const seconds = (performance.now() - began) / 1000;
  throughput.push({
    eventsPerSecond: Math.round(EVENTS / seconds),
    ingestPerSecond: Math.round(EVENTS / ingested),
    seconds: Math.round(seconds * 10) / 10,
  });
  process.stdout.write(`run ${run + 1}: ${JSON.stringify(throughput[run])}\n`);
}
phases.push({ name: 'throughput', from: throughputFrom, to: Date.now() });

// 2. Freshness under a steady background load, one round of probes per background rate.
const probeFrom = Date.now() - MINUTE;
let probesSent = 0;
const freshness: Array<{ backgroundEventsPerSecond: number; samplesMs: number[] }> = [];
for (const rate of BACKGROUND_RATES) {
  let backgroundOn = true;
  const background = (async () => {
    const perTick = Math.max(1, Math.round(rate / 10));
    while (backgroundOn) {
      const tick = performance.now();
      const now = Date.now();
      await post(
        url,
        secrets.apiKeys.bench,
        Array.from({ length: perTick }, () => shopEvent(now)),
      );
      await wait(Math.max(0, 100 - (performance.now() - tick)));
    }
  })();
  await wait(3_000);
  const from = Date.now();
  const samplesMs: number[] = [];
  for (let probe = 0; probe < PROBES; probe += 1) {
    await post(url, secrets.apiKeys.probe, [{ ...shopEvent(Date.now()), event_id: `probe-${Date.now()}-${probe}` }]);
    probesSent += 1;
    const acknowledged = performance.now();
    const deadline = performance.now() + 60_000;
    while ((await visible(probeClient, probeFrom)) < probesSent) {
      if (performance.now() > deadline) throw new Error(`probe ${probe} at ${rate} ev/s not visible after 60 s`);
      await wait(20);
    }
    samplesMs.push(Math.round(performance.now() - acknowledged));
    await wait(250);
  }
  phases.push({ name: `freshness@${rate}`, from, to: Date.now() });
  backgroundOn = false;
  await background;
  freshness.push({ backgroundEventsPerSecond: rate, samplesMs });
  process.stdout.write(`freshness at ${rate} ev/s: ${JSON.stringify(summarize(samplesMs))}\n`);
}

const rss = Object.fromEntries(SERVICE_NAMES.map((name) => [name, peakRssMiB(platform.service(name).pid)]));
benchClient.close();
probeClient.close();
const codes = await platform.stop();
await nats.destroy();
const cql = new cassandra.Client({ contactPoints: [values.cassandra], localDataCenter: 'datacenter1' });
await cql.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
await cql.shutdown();

const rate = summarize(throughput.map((t) => t.eventsPerSecond));
const ingest = summarize(throughput.map((t) => t.ingestPerSecond));
const fresh = freshness.map((f) => ({ ...f, ms: summarize(f.samplesMs) }));
const results = {
  when: new Date().toISOString(),
  machine: machineFacts(),
  eventsPerRun: EVENTS,
  runs: throughput,
  sustainedEventsPerSecond: rate,
  gatewayIngestEventsPerSecond: ingest,
  freshness: fresh.map(({ backgroundEventsPerSecond, ms, samplesMs }) => ({
    backgroundEventsPerSecond,
    probes: PROBES,
    ms,
    samplesMs,
  })),
  phases,
  failedVisibilityQueries: failedQueries,
  peakRssMiB: rss,
  exitCodes: codes,
};
const md = [
  '| measure | median | worst |',
  '|---|---|---|',
  `| sustained events/s, first POST → all visible in a store query (${EVENTS.toLocaleString('en')} events, ${RUNS} runs) | ${rate.median.toLocaleString('en')} | ${rate.min.toLocaleString('en')} |`,
  `| gateway ingest events/s in those runs (batch mode, ${LANES} connections × ${BATCH}) | ${ingest.median.toLocaleString('en')} | ${ingest.min.toLocaleString('en')} |`,
  ...fresh.map(
    (f) =>
      `| freshness ms, gateway ack → visible (p50 / p99 of ${PROBES} probes at ${f.backgroundEventsPerSecond.toLocaleString('en')} ev/s background) | ${f.ms.median} | p99 ${f.ms.p99} |`,
  ),
  '',
  `peak RSS MiB: ${Object.entries(rss)
    .map(([name, mib]) => `${name} ${mib}`)
    .join(
      ', ',
    )}; ${results.machine.cpus} cores (${results.machine.cpuModel}), Node ${results.machine.node}; NATS, Cassandra, every service and the load generator share the machine.`,
].join('\n');
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'pipeline.json'), JSON.stringify(results, null, 2));
writeFileSync(join(OUT, 'pipeline.md'), `${md}\n`);
process.stdout.write(`${md}\n\nwrote ${join(OUT, 'pipeline.{md,json}')}\n`);
process.exit(0);
