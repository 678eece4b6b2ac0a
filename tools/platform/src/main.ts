/**
 * The local platform: `up` starts NATS, Cassandra and every service with prefixed logs;
 * `demo` does the same and runs simulated shop traffic with a live terminal dashboard.
 * Ctrl-C (or --duration) stops everything in reverse order, draining each service.
 */
import { MetricsClient } from '@pulse/client';
import { DEFAULT_PORTS, ensureLocalSecrets, LocalPlatform, workspaceRoot, type ServiceName } from '@pulse/testing';

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { render, snapshot } from './dashboard/live-dashboard.js';
import { TrafficSender } from './traffic/traffic-sender.js';

const COLORS: Record<ServiceName, string> = {
  'ingest-gateway': '36',
  cleaner: '35',
  aggregator: '33',
  store: '32',
  forecast: '34',
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rate: { type: 'string', default: '300' },
    duration: { type: 'string' },
    'keep-infra': { type: 'boolean', default: false },
  },
});
const command = positionals[0] ?? 'demo';
if (!['up', 'demo'].includes(command)) {
  process.stderr.write(`usage: platform (up|demo) [--rate events/s] [--duration seconds] [--keep-infra]\n`);
  process.exit(2);
}

const runDir = join(workspaceRoot, '.run/dev');
const interactive = process.stdout.isTTY === true && command === 'demo';
const say = (line: string) => process.stdout.write(`\u001b[1m[pulse]\u001b[0m ${line}\n`);

function infra(...args: string[]): void {
  const result = spawnSync('bash', [join(workspaceRoot, 'scripts/infra.sh'), ...args], {
    cwd: workspaceRoot,
    env: { ...process.env, PULSE_RUN_DIR: runDir },
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`scripts/infra.sh ${args.join(' ')} failed`);
}

say('starting NATS (JetStream) and Cassandra — the first run installs them, later runs take seconds');
infra('up');
const secrets = ensureLocalSecrets(runDir, ['demo']);
const platform = new LocalPlatform({
  runDir,
  ports: DEFAULT_PORTS,
  secrets,
  keyspace: 'pulse',
  infraEnv: {
    PULSE_NATS_URL: `nats://127.0.0.1:${process.env.PULSE_NATS_PORT ?? 4222}`,
    PULSE_CASSANDRA_CONTACT_POINTS: `127.0.0.1:${process.env.PULSE_CASSANDRA_PORT ?? 9042}`,
    PULSE_CASSANDRA_LOCAL_DC: 'datacenter1',
  },
  onLine: interactive
    ? undefined
    : (service, line) => process.stdout.write(`\u001b[${COLORS[service]}m${service.padEnd(14)}|\u001b[0m ${line}\n`),
});

let stopping = false;
let sender: TrafficSender | undefined;
let client: MetricsClient | undefined;
let refresh: NodeJS.Timeout | undefined;

async function shutdown(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  clearInterval(refresh);
  if (interactive) process.stdout.write('\u001b[?25h\n');
  say('stopping: traffic, then services (each drains), then servers');
  await sender?.stop();
  client?.close();
  const codes = await platform.stop();
  say(
    `services stopped: ${Object.entries(codes)
      .map(([name, c]) => `${name}=${c}`)
      .join(' ')}`,
  );
  if (!values['keep-infra']) infra('down');
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
// A closed pipe (e.g. `./pulse up | head`) must not kill the runner before it stopped everything.
process.stdout.on('error', () => undefined);
process.on('exit', () => platform.signalAll('SIGTERM'));
process.on('SIGTERM', () => void shutdown(0));

try {
  await platform.start((name, ms) => say(`${name} ready (${(ms / 1000).toFixed(1)} s)`));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  await shutdown(1);
}

const hints = [
  `ingest:  curl -X POST http://127.0.0.1:${DEFAULT_PORTS.gatewayHttp}/v1/events -H 'x-api-key: ${secrets.apiKeys.demo}' -H 'content-type: application/json' -d '{"event_id":"hello-1","type":"page_view","occurred_at":${Date.now()}}'`,
  `query:   gRPC pulse.store.v1.MetricsService at 127.0.0.1:${DEFAULT_PORTS.storeGrpc} (metadata x-api-key: ${secrets.apiKeys.demo})`,
  `logs:    ${join(runDir, 'logs')}/<service>.log    API key of tenant demo: ${secrets.apiKeys.demo}`,
];

if (command === 'up') {
  say('platform is up');
  for (const hint of hints) say(hint);
} else {
  const traffic = new TrafficSender(
    `http://127.0.0.1:${DEFAULT_PORTS.gatewayHttp}/v1/events`,
    secrets.apiKeys.demo,
    Number(values.rate),
  );
  const metrics = new MetricsClient({
    address: `127.0.0.1:${DEFAULT_PORTS.storeGrpc}`,
    apiKey: secrets.apiKeys.demo,
    deadlineMs: 2_000,
  });
  sender = traffic;
  client = metrics;
  traffic.start();
  const began = Date.now();
  let ticks = 0;
  if (interactive) process.stdout.write('\u001b[?25l');
  refresh = setInterval(() => {
    ticks += 1;
    void snapshot(metrics, Date.now()).then((snap) => {
      if (stopping) return;
      const elapsed = Math.round((Date.now() - began) / 1000);
      if (interactive) process.stdout.write(`\u001b[H\u001b[2J${render(snap, traffic.stats, elapsed, hints)}\n`);
      else if (ticks % 5 === 0)
        say(
          `t=${elapsed}s sent=${traffic.stats.sent} accepted=${traffic.stats.accepted} counted(last 10 min)=${snap.countedLast10m}${snap.error ? ` error=${snap.error}` : ''}`,
        );
    });
  }, 1_000);
}

if (values.duration) {
  setTimeout(() => void shutdown(0), Number(values.duration) * 1000);
}
