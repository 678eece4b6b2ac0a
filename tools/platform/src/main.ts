/**
 * The local platform: `up` starts NATS, Cassandra and every service with prefixed logs;
 * `demo` does the same, runs tools/loadgen's simulated shop (history backfill, a flash sale, then
 * live traffic: src/traffic/) and shows the analytics live in the terminal (src/dashboard/).
 * Ctrl-C (or --duration) stops everything in reverse order, draining each service.
 */
import { ForecastClient, MetricsClient, millis } from '@pulse/client';
import { proto } from '@pulse/contracts';
import {
  createServiceProcess,
  DEFAULT_PORTS,
  ensureLocalSecrets,
  LocalPlatform,
  parseInfraEnv,
  workspaceRoot,
  type ServiceName,
  type ServiceProcess,
} from '@pulse/testing';

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { type DashboardModel, type StreamCounts } from './dashboard/dashboard-model.js';
import {
  readAlerts,
  readForecast,
  readFunnel,
  readMinutes,
  readShoppers,
  readStreamTotals,
  readTopProducts,
} from './dashboard/dashboard-queries.js';
import { renderDashboard, renderStatusLine } from './dashboard/dashboard-view.js';
import { PanelPoller } from './dashboard/panel-poller.js';
import { DEMO_CURRENCY, DEMO_FORECAST, DEMO_TENANT, demoServiceEnv, parseDemoOptions } from './demo-options.js';
import { DemoTraffic, historyToBackfill } from './traffic/demo-traffic.js';

const COLORS: Record<ServiceName, string> = {
  'ingest-gateway': '36',
  cleaner: '35',
  aggregator: '33',
  store: '32',
  forecast: '34',
};

const USAGE = `usage: platform (up|demo) [--duration seconds] [--keep-infra] [--profile single|cluster] [--no-traces] [--tls]
demo only: [--rate events/s] [--history-minutes N] [--flash-sale factor] [--seed N] [--time-zone ZONE]`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rate: { type: 'string' },
    duration: { type: 'string' },
    'keep-infra': { type: 'boolean', default: false },
    'no-traces': { type: 'boolean', default: false },
    tls: { type: 'boolean', default: false },
    profile: { type: 'string', default: 'single' },
    'history-minutes': { type: 'string' },
    'flash-sale': { type: 'string' },
    seed: { type: 'string' },
    'time-zone': { type: 'string' },
  },
});
const command = positionals[0] ?? 'demo';
if (!['up', 'demo'].includes(command)) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
const cluster = values.profile === 'cluster';
if (!['single', 'cluster'].includes(values.profile ?? '')) {
  process.stderr.write(`platform: --profile must be single or cluster, got '${values.profile}'\n${USAGE}\n`);
  process.exit(2);
}
let demo: ReturnType<typeof parseDemoOptions>;
try {
  demo = parseDemoOptions(values);
} catch (error) {
  process.stderr.write(`platform: ${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}

const began = Date.now();
const runDir = join(workspaceRoot, cluster ? '.run/cluster' : '.run/dev');
const interactive = process.stdout.isTTY === true && command === 'demo';
const progress: string[] = [];
const say = (line: string) => {
  progress.push(line);
  process.stdout.write(`\u001b[1m[pulse]\u001b[0m ${line}\n`);
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function infra(...args: string[]): string {
  const profile = ['--profile', cluster ? 'cluster' : 'single'];
  const result = spawnSync('bash', [join(workspaceRoot, 'scripts/infra.sh'), ...profile, ...args], {
    cwd: workspaceRoot,
    env: { ...process.env, PULSE_RUN_DIR: runDir },
    stdio: args[0] === 'env' ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`scripts/infra.sh ${args.join(' ')} failed`);
  return result.stdout ?? '';
}

function traceViewer(action: 'up' | 'down' | 'env') {
  return spawnSync('bash', [join(workspaceRoot, 'scripts/trace-viewer.sh'), action], {
    cwd: workspaceRoot,
    env: { ...process.env, PULSE_RUN_DIR: runDir },
    stdio: action === 'env' ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
  });
}

/** `infra.sh env` output as an environment. */
function infraEnvironment(): Record<string, string> {
  return parseInfraEnv(infra('env'));
}

say(
  cluster
    ? 'starting the cluster profile: 3 NATS servers (JetStream, R3 streams) and a 3-node Cassandra ring (RF 3) — about a minute, ~2 GiB'
    : 'starting NATS (JetStream) and Cassandra — the first run installs them, later runs take seconds',
);
infra('up');
let tracesStarted = false;
const infraEnv = { ...infraEnvironment(), ...startTraceViewer(), ...endpointTls() };
const scheme = infraEnv.PULSE_TLS_CERT_FILE ? 'https' : 'http';

/**
 * --tls: every service serves its HTTP and gRPC ports over TLS with a certificate of the local
 * test CA (scripts/gen-test-ca.sh, made once under the run dir), and calls the others trusting
 * that CA. This process's own clients (readiness probes, the dashboard's gRPC reads) trust it
 * through PULSE_TLS_CA_FILE; loadgen's fetch through NODE_EXTRA_CA_CERTS, read when it starts.
 */
function endpointTls(): Record<string, string> {
  if (!values.tls) return {};
  const dir = join(runDir, 'tls');
  const made = spawnSync('bash', [join(workspaceRoot, 'scripts/gen-test-ca.sh'), dir], {
    cwd: workspaceRoot,
    stdio: 'inherit',
  });
  if (made.status !== 0) throw new Error('scripts/gen-test-ca.sh failed');
  const ca = join(dir, 'ca.pem');
  process.env.PULSE_TLS_CA_FILE = ca;
  process.env.NODE_EXTRA_CA_CERTS = ca;
  return {
    PULSE_TLS_CERT_FILE: join(dir, 'server.pem'),
    PULSE_TLS_KEY_FILE: join(dir, 'server.key'),
    PULSE_TLS_CA_FILE: ca,
  };
}

/**
 * The trace viewer (scripts/trace-viewer.sh: Zipkin with its UI) and the OTEL_* settings that send
 * it the services' spans. The services sample 1 % of requests unless OTEL_TRACES_SAMPLER says
 * otherwise; the demo's traced purchases carry a sampled context, so each is a whole trace.
 */
function startTraceViewer(): Record<string, string> {
  if (values['no-traces']) return {};
  if (traceViewer('up').status !== 0) {
    say('the trace viewer did not start (see above): going on without traces (--no-traces hides this)');
    return {};
  }
  tracesStarted = true;
  return {
    ...parseInfraEnv(traceViewer('env').stdout ?? ''),
    OTEL_TRACES_SAMPLER: process.env.OTEL_TRACES_SAMPLER ?? 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: process.env.OTEL_TRACES_SAMPLER_ARG ?? '0.01',
    // Zipkin takes spans only: no metrics or logs are pushed anywhere (Prometheus scrapes /metrics).
    OTEL_METRICS_EXPORTER: process.env.OTEL_METRICS_EXPORTER ?? 'none',
    OTEL_LOGS_EXPORTER: process.env.OTEL_LOGS_EXPORTER ?? 'none',
  };
}
const secrets = ensureLocalSecrets(runDir, [DEMO_TENANT]);
const apiKey = secrets.apiKeys[DEMO_TENANT];
const platform = new LocalPlatform({
  runDir,
  ports: DEFAULT_PORTS,
  secrets,
  keyspace: 'pulse',
  infraEnv,
  extraEnv: withProfile(command === 'demo' ? demoServiceEnv() : {}, 'agg-a'),
  onLine: interactive
    ? undefined
    : (service, line) => process.stdout.write(`\u001b[${COLORS[service]}m${service.padEnd(14)}|\u001b[0m ${line}\n`),
});

/** The cluster profile runs the aggregator as two lease-owning replicas (the survivor takes over). */
function withProfile(
  env: Partial<Record<ServiceName, Record<string, string>>>,
  member: string,
): Partial<Record<ServiceName, Record<string, string>>> {
  if (!cluster) return env;
  return {
    ...env,
    aggregator: { ...env.aggregator, PULSE_AGGREGATOR_ASSIGNMENT: 'lease', PULSE_AGGREGATOR_MEMBER_ID: member },
  };
}

/** Second replicas in the cluster profile: the aggregator (lease owner), cleaner and store (shared consumers). */
const replicas: ServiceProcess[] = [];
async function startReplicas(): Promise<void> {
  if (!cluster) return;
  const settings = platform.settings;
  const offset = 100;
  const ports = Object.fromEntries(
    Object.entries(settings.ports).map(([name, port]) => [name, (port as number) + offset]),
  ) as unknown as typeof settings.ports; // every port of the first replica, shifted
  for (const name of ['aggregator', 'cleaner', 'store'] as const) {
    const replica = createServiceProcess(name, {
      ...settings,
      runDir: join(runDir, 'replica-2'),
      ports,
      extraEnv: withProfile(command === 'demo' ? demoServiceEnv() : {}, 'agg-b'),
    });
    await replica.start(180_000);
    replicas.push(replica);
    say(`${name} replica 2 ready (ports +${offset})`);
  }
}

let stopping = false;
let traffic: DemoTraffic | undefined;
const closers: Array<() => void> = [];
let refresh: NodeJS.Timeout | undefined;
const timings: Record<string, number> = {};

async function shutdown(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  clearInterval(refresh);
  if (interactive) process.stdout.write('\u001b[?25h\n');
  say('stopping: traffic, then services (each drains), then servers');
  const loadgenCode = await traffic?.stop();
  if (loadgenCode !== undefined) say(`loadgen stopped (exit ${loadgenCode})`);
  for (const close of closers) close();
  // A service stopped before it was ever started has no exit code and is not a failure.
  const started = new Set(
    [...platform.services].filter(([, service]) => service.pid !== undefined).map(([name]) => name),
  );
  const replicaCodes = await Promise.all(replicas.map((replica) => replica.stop()));
  if (replicas.length > 0) say(`replicas stopped: ${replicaCodes.join(' ')}`);
  const codes = await platform.stop();
  say(
    `services stopped: ${Object.entries(codes)
      .map(([name, c]) => `${name}=${c}`)
      .join(' ')}`,
  );
  if (Object.keys(timings).length > 0)
    say(
      `timings from start: ${Object.entries(timings)
        .map(([what, ms]) => `${what} ${seconds(ms)}`)
        .join(' · ')}`,
    );
  if (!values['keep-infra']) {
    infra('down');
    // After the services: their last spans were flushed when they exited.
    if (tracesStarted) traceViewer('down');
  }
  const clean =
    Object.entries(codes).every(([name, c]) => c === 0 || (c === null && !started.has(name as ServiceName))) &&
    (loadgenCode ?? 0) === 0 &&
    replicaCodes.every((c) => c === 0);
  process.exit(code !== 0 ? code : clean ? 0 : 1);
}
process.on('SIGINT', () => void shutdown(0));
// A closed pipe (e.g. `./pulse up | head`) must not kill the runner before it stopped everything.
process.stdout.on('error', () => undefined);
process.on('exit', () => {
  traffic?.signal('SIGTERM');
  platform.signalAll('SIGTERM');
  for (const replica of replicas) replica.signal('SIGTERM');
});
process.on('SIGTERM', () => void shutdown(0));
if (values.duration) setTimeout(() => void shutdown(0), Number(values.duration) * 1000);

try {
  await platform.start((name, ms) => say(`${name} ready (${seconds(ms)})`));
  await startReplicas();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  await shutdown(1);
}
timings['services ready'] = Date.now() - began;

const hints = [
  `console: ${platform.consoleUrl} (enter the API key of tenant ${DEMO_TENANT}: ${apiKey})`,
  `ingest:  curl${scheme === 'https' ? ` --cacert ${infraEnv.PULSE_TLS_CA_FILE}` : ''} -X POST ${scheme}://127.0.0.1:${DEFAULT_PORTS.gatewayHttp}/v1/events -H 'x-api-key: ${apiKey}' -H 'content-type: application/json' -d '{"event_id":"hello-1","type":"page_view","occurred_at":${Date.now()}}'`,
  `query:   gRPC pulse.store.v1.MetricsService at 127.0.0.1:${DEFAULT_PORTS.storeGrpc} (metadata x-api-key: ${apiKey})${scheme === 'https' ? `, TLS with CA ${infraEnv.PULSE_TLS_CA_FILE}` : ''}`,
  `logs:    ${join(runDir, 'logs')}/<service>.log    API key of tenant ${DEMO_TENANT}: ${apiKey}`,
  ...(infraEnv.PULSE_TRACES_UI_URL
    ? [
        `traces:  ${infraEnv.PULSE_TRACES_UI_URL} (1 % of requests, and any request sent with a sampled traceparent header)`,
      ]
    : []),
];

if (command === 'up') {
  say('platform is up');
  for (const hint of hints) say(hint);
} else if (!stopping) {
  say(hints[0]);
  await runDemo();
}

async function runDemo(): Promise<void> {
  const loadgenMainJs = join(workspaceRoot, 'dist/tools/loadgen/src/main.js');
  if (!existsSync(loadgenMainJs)) {
    say(`${loadgenMainJs} is missing: build it with ./pulse build (or npx nx run loadgen:build)`);
    await shutdown(1);
  }
  const grpc = { apiKey, deadlineMs: 8_000 };
  const metrics = new MetricsClient({ ...grpc, address: `127.0.0.1:${DEFAULT_PORTS.storeGrpc}` });
  const forecasts = new ForecastClient({
    ...grpc,
    address: `127.0.0.1:${DEFAULT_PORTS.forecastGrpc}`,
    deadlineMs: 10_000,
  });
  closers.push(
    () => metrics.close(),
    () => forecasts.close(),
  );

  // What the store has already (a previous demo) is not sent again: only the missing span.
  const now = Date.now();
  let lastDataEnd: number | undefined;
  try {
    const series = await metrics.getSeries(
      {
        metric: 'events',
        granularity: proto.pulse.store.v1.Granularity.GRANULARITY_MINUTE,
        from: now - demo.historyMinutes * 60_000,
        to: now + 60_000,
      },
      10_000,
    );
    const last = series.points.at(-1);
    if (last) lastDataEnd = millis(last.windowEnd);
  } catch (error) {
    say(`could not read what the store has (${(error as Error).message}); backfilling the full history`);
  }
  const historySeconds = historyToBackfill(now, demo.historyMinutes * 60, lastDataEnd);
  say(
    historySeconds > 0
      ? `backfilling ${Math.round(historySeconds / 60)} min of shop history, then ${demo.flashSale > 1 ? `a ${demo.flashSale}× flash sale, then ` : ''}live traffic at ${demo.shop.rate} events/s (weekly mean)`
      : `the store already has the last ${demo.historyMinutes} min of history: live traffic at ${demo.shop.rate} events/s`,
  );

  traffic = new DemoTraffic({
    loadgenMainJs,
    cwd: workspaceRoot,
    shop: demo.shop,
    target: {
      gatewayUrl: `${scheme}://127.0.0.1:${DEFAULT_PORTS.gatewayHttp}`,
      apiKey,
      traceEverySeconds: infraEnv.PULSE_TRACES_UI_URL ? 15 : undefined,
    },
    historySeconds,
    flashSaleFactor: demo.flashSale,
    minFlashSaleSeconds: 60,
  });
  const run = traffic;
  void run.run().then(() => {
    const state = run.state;
    if (state.stage === 'failed' && !stopping) say(state.error ?? 'loadgen failed');
  });

  const monitorUrl = `http://127.0.0.1:${process.env.PULSE_NATS_MONITOR_PORT ?? 8222}`;
  let baseline: StreamCounts | undefined;
  const panels = {
    minutes: new PanelPoller((t) => readMinutes(metrics, t), 1_000),
    topProducts: new PanelPoller((t) => readTopProducts(metrics, t), 2_000),
    funnel: new PanelPoller((t) => readFunnel(metrics, t), 2_000),
    shoppers: new PanelPoller((t) => readShoppers(metrics, t), 2_000),
    forecast: new PanelPoller(() => readForecast(forecasts, DEMO_FORECAST), 5_000),
    alerts: new PanelPoller(() => readAlerts(forecasts, began), 3_000),
    streams: new PanelPoller(async () => {
      const totals = await readStreamTotals(monitorUrl);
      baseline ??= totals;
      return { dlq: totals.dlq - baseline.dlq, late: totals.late - baseline.late };
    }, 2_000),
  };

  if (interactive) process.stdout.write('\u001b[?25l\u001b[2J');
  const tick = () => {
    if (stopping) return;
    const t = Date.now();
    for (const panel of Object.values(panels)) panel.tick(t);
    const state = run.state;
    if (state.total.accepted > 0) timings['traffic flowing'] ??= t - began;
    if (state.liveSince !== undefined) timings['live traffic'] ??= state.liveSince - began;
    if (panels.forecast.result.data?.kind === 'ready') timings['forecast visible'] ??= t - began;
    if ((panels.alerts.result.data?.length ?? 0) > 0) timings['first alert'] ??= t - began;
    const model: DashboardModel = {
      now: t,
      startedAt: began,
      tenant: DEMO_TENANT,
      currency: DEMO_CURRENCY,
      progress: state.stage === 'live' ? [] : progress,
      traffic: state,
      tracesUiUrl: infraEnv.PULSE_TRACES_UI_URL,
      minutes: panels.minutes.result,
      topProducts: panels.topProducts.result,
      funnel: panels.funnel.result,
      shoppers: panels.shoppers.result,
      forecast: panels.forecast.result,
      alerts: panels.alerts.result,
      streams: panels.streams.result,
    };
    if (interactive) {
      const lines = renderDashboard(model, {
        width: process.stdout.columns ?? 100,
        height: (process.stdout.rows ?? 30) - 1,
        color: true,
      });
      process.stdout.write(`\u001b[H${lines.map((line) => `${line}\u001b[K`).join('\n')}\n\u001b[J`);
    } else say(renderStatusLine(model));
  };
  refresh = setInterval(tick, 1_000);
  tick();
}
