/**
 * Pipeline benchmark: the whole write path on this machine — gateway → JetStream → cleaner →
 * aggregator → store → Cassandra, every service a built child process — measuring
 *   1. sustained events/s from the first POST until every event is visible in a store query;
 *   2. freshness: a probe event acknowledged by the gateway → visible in a store query (p50/p99),
 *      under a steady background load;
 *   3. peak RSS of each service.
 * Uses a private NATS and the dev Cassandra (./pulse bench starts it) with a keyspace of its own.
 * Writes bench/results/pipeline.{md,json}.
 *
 *   node dist/bench/src/pipeline-bench.js [--events 150000] [--runs 2] [--probes 40] [--background-rate 2000]
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
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import cassandra from 'cassandra-driver';

import { machineFacts, peakRssMiB, summarize } from './bench-report.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '150000' },
    runs: { type: 'string', default: '2' },
    probes: { type: 'string', default: '40' },
    'background-rate': { type: 'string', default: '2000' },
    cassandra: { type: 'string', default: process.env.PULSE_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042' },
  },
});
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const PROBES = Number(values.probes);
const BACKGROUND_RATE = Number(values['background-rate']);
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

/** Events counted for a tenant in minute windows around now (the store's gRPC query path). */
async function visible(client: MetricsClient, from: number): Promise<number> {
  const response = await client.getSeries({
    metric: 'events',
    dimension: 'all',
    granularity: proto.pulse.store.v1.Granularity.GRANULARITY_MINUTE,
    from: timestamp(from),
    to: timestamp(Date.now() + 10 * MINUTE),
  });
  return response.points.reduce((sum, point) => sum + point.value, 0);
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

// 1. Sustained throughput: EVENTS as fast as the gateway takes them, until all are visible.
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

// 2. Freshness under a steady background load.
let backgroundOn = true;
const background = (async () => {
  const perTick = Math.max(1, Math.round(BACKGROUND_RATE / 10));
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
const freshness: number[] = [];
const probeFrom = Date.now() - MINUTE;
for (let probe = 0; probe < PROBES; probe += 1) {
  await post(url, secrets.apiKeys.probe, [{ ...shopEvent(Date.now()), event_id: `probe-${Date.now()}-${probe}` }]);
  const acknowledged = performance.now();
  const deadline = performance.now() + 60_000;
  while ((await visible(probeClient, probeFrom)) < probe + 1) {
    if (performance.now() > deadline) throw new Error(`probe ${probe} not visible after 60 s`);
    await wait(20);
  }
  freshness.push(Math.round(performance.now() - acknowledged));
  await wait(250);
}
backgroundOn = false;
await background;

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
const fresh = summarize(freshness);
const results = {
  when: new Date().toISOString(),
  machine: machineFacts(),
  eventsPerRun: EVENTS,
  runs: throughput,
  sustainedEventsPerSecond: rate,
  gatewayIngestEventsPerSecond: ingest,
  freshnessMs: { ...fresh, probes: PROBES, backgroundEventsPerSecond: BACKGROUND_RATE },
  peakRssMiB: rss,
  exitCodes: codes,
};
const md = [
  '| measure | median | worst |',
  '|---|---|---|',
  `| sustained events/s, first POST → all visible in a store query (${EVENTS.toLocaleString('en')} events, ${RUNS} runs) | ${rate.median.toLocaleString('en')} | ${rate.min.toLocaleString('en')} |`,
  `| gateway ingest events/s in those runs (batch mode, ${LANES} connections × ${BATCH}) | ${ingest.median.toLocaleString('en')} | ${ingest.min.toLocaleString('en')} |`,
  `| freshness ms, gateway ack → visible (p50 / p99 of ${PROBES} probes at ${BACKGROUND_RATE.toLocaleString('en')} ev/s background) | ${fresh.median} | p99 ${fresh.p99} |`,
  '',
  `peak RSS MiB: ${Object.entries(rss)
    .map(([name, mib]) => `${name} ${mib}`)
    .join(
      ', ',
    )}; ${results.machine.cpus} cores (${results.machine.cpuModel}), Node ${results.machine.node}; NATS, Cassandra, every service and the load generator share the machine.`,
].join('\n');
mkdirSync(join(workspaceRoot, 'bench/results'), { recursive: true });
writeFileSync(join(workspaceRoot, 'bench/results/pipeline.json'), JSON.stringify(results, null, 2));
writeFileSync(join(workspaceRoot, 'bench/results/pipeline.md'), `${md}\n`);
process.stdout.write(`${md}\n`);
process.exit(0);
