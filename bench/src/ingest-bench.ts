/**
 * Ingest benchmark: HTTP batches of 100 and 1,000 events and the gRPC client stream into the real
 * gateway (built, as a child process) and a real JetStream on this machine; then the cleaner's
 * throughput draining what the gateway persisted. Prints a table and writes ingest.{json,md} into
 * --out (bench/results by default); the JSON has every run's value and when each scenario ran.
 *
 *   node dist/bench/src/ingest-bench.js [--events 200000] [--runs 3] [--out bench/results]
 *
 * Durability: the main scenarios run on a NATS with the server's default sync_interval (fsync
 * every 2 minutes); two more run the gateway against a NATS with `sync_interval: always` (every
 * acknowledged write fsynced first) so the cost of that setting is measured, not guessed.
 */
import { IngestClient } from '@pulse/client';
import { hashApiKey } from '@pulse/config';
import { freePort, PrivateNats, ServiceProcess, workspaceRoot } from '@pulse/testing';

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import autocannon from 'autocannon';

import { machineFacts, peakRssMiB, summarize } from './bench-report.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '3' },
    out: { type: 'string', default: join(workspaceRoot, 'bench/results') },
  },
});
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const OUT = resolve(values.out);
const KEY = 'bench-key';
const CONNECTIONS = 16;

function event(id: string, i: number) {
  return {
    event_id: id,
    type: i % 5 === 0 ? 'add_to_cart' : 'product_view',
    occurred_at: 1_795_780_000_000 + i,
    user_id: `u-${i % 5000}`,
    session_id: `s-${i % 20000}`,
    product_id: `SKU-${i % 300}`,
    category: 'kitchen',
    price: '12.50',
    quantity: 1,
    currency: 'EUR',
    country: 'DE',
    channel: 'web',
  };
}

async function streamMessages(url: string, stream: string): Promise<number> {
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream).catch(() => undefined);
  await nc.close();
  return info?.state.messages ?? 0;
}

interface HttpRun {
  eventsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function httpRun(url: string, batch: number, total: number, prefix: string): Promise<HttpRun> {
  const requests = Math.floor(total / batch);
  const bodies = Array.from({ length: requests }, (_, r) =>
    JSON.stringify({ events: Array.from({ length: batch }, (_, i) => event(`${prefix}-${r}-${i}`, r * batch + i)) }),
  );
  let next = 0;
  // Timed here: autocannon's own `duration` is too coarse for runs of a few seconds.
  const began = performance.now();
  const result = await autocannon({
    url,
    method: 'POST',
    // autocannon refuses more connections than requests (a small --events).
    connections: Math.min(CONNECTIONS, requests),
    pipelining: 1,
    amount: requests,
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    requests: [
      { setupRequest: (request: autocannon.Request) => ({ ...request, body: bodies[next++ % bodies.length] }) },
    ],
  });
  const seconds = (performance.now() - began) / 1000;
  return {
    eventsPerSecond: Math.round((result['2xx'] * batch) / seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

async function grpcRun(address: string, total: number, prefix: string): Promise<{ eventsPerSecond: number }> {
  const client = new IngestClient({ address, apiKey: KEY, deadlineMs: 600_000 });
  const batch = 500;
  const began = performance.now();
  // Four concurrent streams, each sending its share in batches of 500.
  await Promise.all(
    [0, 1, 2, 3].map((s) =>
      client.ingestStream(
        (function* () {
          for (let b = 0; b < total / 4 / batch; b += 1) {
            yield Array.from({ length: batch }, (_, i) => {
              const e = event(`${prefix}-${s}-${b}-${i}`, i);
              return {
                eventId: e.event_id,
                type: e.type,
                occurredAt: String(e.occurred_at),
                userId: e.user_id,
                productId: e.product_id,
                price: e.price,
                quantity: '1',
                currency: 'EUR',
              };
            });
          }
        })(),
      ),
    ),
  );
  const seconds = (performance.now() - began) / 1000;
  client.close();
  return { eventsPerSecond: Math.round(total / seconds) };
}

// Exit handlers (kill what we started) run on Ctrl-C and SIGTERM too.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const nats = new PrivateNats(await freePort());
await nats.start();
const dir = mkdtempSync(join(tmpdir(), 'pulse-bench-'));
const keysFile = join(dir, 'keys.json');
writeFileSync(keysFile, JSON.stringify({ keys: [{ tenant: 'bench', sha256: hashApiKey(KEY) }] }));
const httpPort = await freePort();
const grpcPort = await freePort();
const common = {
  PULSE_NATS_URL: nats.url,
  PULSE_STREAM_MAX_BYTES: String(4 * 1024 ** 3),
  PULSE_SHUTDOWN_TIMEOUT_MS: '20000',
};
const url = `http://127.0.0.1:${httpPort}/v1/events`;
const rows: Array<{
  /** Stable across runs and event counts, e.g. `batch/http-100`. */
  key: string;
  scenario: string;
  median: number;
  p99: number;
  /** Events/s of each run. */
  samples: number[];
  latencyP50?: number;
  latencyP99?: number;
  errors: number;
}> = [];
/** When each scenario ran (epoch ms), named by its row's key: lets a caller attribute CPU to it. */
const phases: Array<{ name: string; from: number; to: number }> = [];
const gatewayRss: Record<string, number | undefined> = {};
const alwaysNats = new PrivateNats(await freePort(), [], { syncInterval: 'always' });
await alwaysNats.start();
for (const [mode, sync] of [
  ['per-event', 'default'],
  ['batch', 'default'],
  ['per-event', 'always'],
  ['batch', 'always'],
] as const) {
  const always = sync === 'always';
  const gateway = new ServiceProcess({
    name: 'ingest-gateway',
    env: {
      ...common,
      ...(always ? { PULSE_NATS_URL: alwaysNats.url } : {}),
      PULSE_API_KEYS_FILE: keysFile,
      PULSE_INGEST_HOST: '127.0.0.1',
      PULSE_INGEST_HTTP_PORT: String(httpPort),
      PULSE_INGEST_GRPC_PORT: String(grpcPort),
      PULSE_INGEST_RATE_LIMIT_EVENTS_PER_SECOND: '0',
      PULSE_INGEST_PUBLISH_MODE: mode,
    },
    readyUrl: `http://127.0.0.1:${httpPort}/readyz`,
    logFile: join(dir, `gateway-${mode}-${sync}.log`),
  });
  process.on('exit', () => gateway.signal('SIGKILL'));
  await gateway.start();
  // With sync always: the batch size each mode is meant for (per-event 100, batch 1,000), HTTP only.
  for (const batch of always ? [mode === 'batch' ? 1000 : 100] : [100, 1000]) {
    const key = always ? `${mode}/http-${batch}/sync-always` : `${mode}/http-${batch}`;
    const from = Date.now();
    const runs: HttpRun[] = [];
    for (let run = 0; run < RUNS; run += 1)
      runs.push(await httpRun(url, batch, EVENTS, `${mode}-${sync}-http${batch}-${run}`));
    phases.push({ name: key, from, to: Date.now() });
    const rate = summarize(runs.map((r) => r.eventsPerSecond));
    rows.push({
      key,
      scenario: `${mode}: HTTP batches of ${batch} (${Math.min(CONNECTIONS, Math.floor(EVENTS / batch))} connections)${always ? ', NATS sync_interval: always' : ''}`,
      median: rate.median,
      p99: rate.min, // the slowest run: with few runs p99 of throughput is its minimum
      samples: runs.map((r) => r.eventsPerSecond),
      latencyP50: summarize(runs.map((r) => r.p50)).median,
      latencyP99: summarize(runs.map((r) => r.p99)).median,
      errors: runs.reduce((sum, r) => sum + r.non2xx, 0),
    });
  }
  if (always) {
    await gateway.stop();
    continue;
  }
  const grpcKey = `${mode}/grpc`;
  const grpcFrom = Date.now();
  const grpcRuns = [];
  for (let run = 0; run < RUNS; run += 1)
    grpcRuns.push(await grpcRun(`127.0.0.1:${grpcPort}`, EVENTS, `${mode}-grpc-${run}`));
  phases.push({ name: grpcKey, from: grpcFrom, to: Date.now() });
  const grpcRate = summarize(grpcRuns.map((r) => r.eventsPerSecond));
  rows.push({
    key: grpcKey,
    scenario: `${mode}: gRPC client streams (4 × batches of 500)`,
    median: grpcRate.median,
    p99: grpcRate.min,
    samples: grpcRuns.map((r) => r.eventsPerSecond),
    errors: 0,
  });
  gatewayRss[mode] = peakRssMiB(gateway.pid);
  await gateway.stop();
}

// Cleaner: drain everything the gateway persisted, from a standing start.
const raw = await streamMessages(nats.url, 'PULSE_RAW');
const cleanerPort = await freePort();
const cleaner = new ServiceProcess({
  name: 'cleaner',
  env: {
    ...common,
    PULSE_CLEANER_HOST: '127.0.0.1',
    PULSE_CLEANER_HTTP_PORT: String(cleanerPort),
    PULSE_CLEANER_PSEUDONYM_KEY: 'bench-secret-0123456789abcdef',
  },
  readyUrl: `http://127.0.0.1:${cleanerPort}/readyz`,
  logFile: join(dir, 'cleaner.log'),
});
process.on('exit', () => cleaner.signal('SIGKILL'));
const cleanerFrom = Date.now();
const began = performance.now();
await cleaner.start();
let cleaned = 0;
for (;;) {
  cleaned = (await streamMessages(nats.url, 'PULSE_CLEAN')) + (await streamMessages(nats.url, 'PULSE_DLQ'));
  if (cleaned >= raw) break;
  await new Promise((resolve) => setTimeout(resolve, 200));
}
const cleanerSeconds = (performance.now() - began) / 1000;
phases.push({ name: 'cleaner', from: cleanerFrom, to: Date.now() });
const cleanerRss = peakRssMiB(cleaner.pid);
await cleaner.stop();
await nats.destroy();
await alwaysNats.destroy();
rows.push({
  key: 'cleaner',
  scenario: `cleaner draining ${raw} raw events (incl. start-up)`,
  median: Math.round(raw / cleanerSeconds),
  p99: Math.round(raw / cleanerSeconds),
  samples: [Math.round(raw / cleanerSeconds)],
  errors: 0,
});

const results = {
  when: new Date().toISOString(),
  machine: machineFacts(),
  eventsPerRun: EVENTS,
  runs: RUNS,
  rows,
  phases,
  peakRssMiB: { gateway: gatewayRss, cleaner: cleanerRss },
};
const md = [
  `| scenario | events/s median | events/s slowest run | request p50 ms | request p99 ms | errors |`,
  `|---|---|---|---|---|---|`,
  ...rows.map(
    (r) =>
      `| ${r.scenario} | ${r.median.toLocaleString('en')} | ${r.p99.toLocaleString('en')} | ${r.latencyP50 ?? '–'} | ${r.latencyP99 ?? '–'} | ${r.errors} |`,
  ),
  '',
  `peak RSS: gateway ${gatewayRss['per-event']} MiB (per-event) / ${gatewayRss.batch} MiB (batch), cleaner ${cleanerRss} MiB; ${EVENTS.toLocaleString('en')} events per run, ${RUNS} runs; ${results.machine.cpus} cores (${results.machine.cpuModel}), Node ${results.machine.node}; NATS, gateway and load generator share the machine.`,
].join('\n');
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'ingest.json'), JSON.stringify(results, null, 2));
writeFileSync(join(OUT, 'ingest.md'), `${md}\n`);
process.stdout.write(`${md}\n\nwrote ${join(OUT, 'ingest.{md,json}')}\n`);
