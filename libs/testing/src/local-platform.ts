import { httpScheme } from '@pulse/config';

import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { freePort } from './free-port.js';
import { ServiceProcess } from './service-process.js';

/** Start order: the store first (it owns the schema), the gateway last (it takes traffic). */
export const SERVICE_NAMES = ['store', 'forecast', 'aggregator', 'cleaner', 'ingest-gateway'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * The web console: not on the data path, so it starts after the pipeline and stops first, and only
 * on platforms whose ports give it one (`consoleHttp`: DEFAULT_PORTS does, `./pulse up` runs it).
 */
export const CONSOLE_SERVICE = 'console';
export type PlatformServiceName = ServiceName | typeof CONSOLE_SERVICE;

export interface PlatformPorts {
  gatewayHttp: number;
  cleanerHttp: number;
  aggregatorHttp: number;
  storeHttp: number;
  storeGrpc: number;
  forecastHttp: number;
  forecastGrpc: number;
  /** The web console's HTTP port; without it the platform runs no console. */
  consoleHttp?: number;
}

export const DEFAULT_PORTS: PlatformPorts = {
  gatewayHttp: 8080,
  cleanerHttp: 8081,
  aggregatorHttp: 8082,
  storeHttp: 8083,
  storeGrpc: 50051,
  forecastHttp: 8084,
  forecastGrpc: 50052,
  consoleHttp: 8085,
};

/**
 * Ports shifted by an offset, so a test platform can run beside the demo one. The console is left
 * out unless asked for (`{ console: true }`): pipeline tests do not need it.
 */
export function portsWithOffset(offset: number, options: { console?: boolean } = {}): PlatformPorts {
  const ports = Object.fromEntries(
    Object.entries(DEFAULT_PORTS).map(([k, v]) => [k, v + offset]),
  ) as unknown as PlatformPorts;
  if (!options.console) delete ports.consoleHttp;
  return ports;
}

export interface LocalSecrets {
  /** The `demo` tenant's API key (plain; only its hash is in the key file). */
  apiKeys: Record<string, string>;
  apiKeysFile: string;
  /** The plain keys again, for the forecast service's anomaly watcher (it reads as each tenant). */
  watchKeysFile: string;
  pseudonymKey: string;
}

/**
 * API keys for the given tenants and the pseudonym HMAC key, generated once per run dir and
 * reused after; the key file holds only hashes, as the production Secret does.
 */
export function ensureLocalSecrets(runDir: string, tenants: string[] = ['demo']): LocalSecrets {
  mkdirSync(runDir, { recursive: true });
  const secretsFile = join(runDir, 'secrets.json');
  let secrets: { apiKeys: Record<string, string>; pseudonymKey: string } = existsSync(secretsFile)
    ? JSON.parse(readFileSync(secretsFile, 'utf8'))
    : { apiKeys: {}, pseudonymKey: randomBytes(32).toString('hex') };
  for (const tenant of tenants) secrets.apiKeys[tenant] ??= `${tenant}-${randomBytes(18).toString('base64url')}`;
  writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  const apiKeysFile = join(runDir, 'api-keys.json');
  const keys = Object.entries(secrets.apiKeys).map(([tenant, key]) => ({
    tenant,
    sha256: createHash('sha256').update(key).digest('hex'),
  }));
  writeFileSync(apiKeysFile, JSON.stringify({ keys }, null, 2));
  const watchKeysFile = join(runDir, 'watch-keys.json');
  writeFileSync(
    watchKeysFile,
    JSON.stringify({ keys: Object.entries(secrets.apiKeys).map(([tenant, key]) => ({ tenant, key })) }, null, 2),
    { mode: 0o600 },
  );
  secrets = { ...secrets };
  return { apiKeys: secrets.apiKeys, apiKeysFile, watchKeysFile, pseudonymKey: secrets.pseudonymKey };
}

export interface PlatformSettings {
  runDir: string;
  ports: PlatformPorts;
  /** PULSE_NATS_URL, PULSE_CASSANDRA_* of the infrastructure to use. */
  infraEnv: Record<string, string>;
  secrets: LocalSecrets;
  keyspace: string;
  partitions?: number;
  extraEnv?: Partial<Record<PlatformServiceName, Record<string, string>>>;
  onLine?: (service: ServiceName, line: string) => void;
  /** The console's output lines; without it they go to its log file only. */
  onConsoleLine?: (line: string) => void;
}

/**
 * A service's NATS identity from the infrastructure's environment (`infra.sh env`): with
 * PULSE_NATS_AUTH_DIR (NATS users on, e.g. the cluster profile) the service connects as its own
 * user, `<user>.password` of that directory; the TLS CA passes through. Nothing without them.
 */
export function natsServiceEnv(user: string, infraEnv: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  if (infraEnv.PULSE_NATS_AUTH_DIR) {
    env.PULSE_NATS_USER = user;
    env.PULSE_NATS_PASSWORD_FILE = join(infraEnv.PULSE_NATS_AUTH_DIR, `${user}.password`);
  }
  if (infraEnv.PULSE_NATS_TLS_CA_FILE) env.PULSE_NATS_TLS_CA_FILE = infraEnv.PULSE_NATS_TLS_CA_FILE;
  return env;
}

/** The console's environment: the store and forecast it queries, the key file, NATS for pipeline health. */
export function consoleEnv(settings: PlatformSettings): Record<string, string> {
  const { ports } = settings;
  if (ports.consoleHttp === undefined) throw new Error('the platform has no console port (ports.consoleHttp)');
  return {
    PULSE_NATS_URL: settings.infraEnv.PULSE_NATS_URL ?? 'nats://127.0.0.1:4222',
    ...natsServiceEnv(CONSOLE_SERVICE, settings.infraEnv),
    // Endpoint TLS and the trace exporter, as every other service gets them.
    ...Object.fromEntries(
      Object.entries(settings.infraEnv).filter(([name]) => name.startsWith('PULSE_TLS_') || name.startsWith('OTEL_')),
    ),
    PULSE_API_KEYS_FILE: settings.secrets.apiKeysFile,
    PULSE_SHUTDOWN_TIMEOUT_MS: '20000',
    PULSE_CONSOLE_HTTP_PORT: String(ports.consoleHttp),
    PULSE_CONSOLE_HOST: '127.0.0.1',
    PULSE_STORE_ADDR: `127.0.0.1:${ports.storeGrpc}`,
    PULSE_FORECAST_ADDR: `127.0.0.1:${ports.forecastGrpc}`,
    ...(settings.extraEnv?.[CONSOLE_SERVICE] ?? {}),
  };
}

/** Where the console is, e.g. `http://127.0.0.1:8085/` (undefined when the platform runs none). */
export function consoleUrl(ports: PlatformPorts, scheme: 'http' | 'https' = 'http'): string | undefined {
  return ports.consoleHttp === undefined ? undefined : `${scheme}://127.0.0.1:${ports.consoleHttp}/`;
}

export function createConsoleProcess(settings: PlatformSettings): ServiceProcess {
  return new ServiceProcess({
    name: CONSOLE_SERVICE,
    env: consoleEnv(settings),
    readyUrl: `${httpScheme({ ...process.env, ...consoleEnv(settings) })}://127.0.0.1:${settings.ports.consoleHttp}/readyz`,
    logFile: join(settings.runDir, 'logs', `${CONSOLE_SERVICE}.log`),
    onLine: settings.onConsoleLine,
  });
}

/** The environment `scripts/infra.sh env` prints: `export NAME=value` lines, values quoted by printf %q. */
export function parseInfraEnv(output: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const match = /^export (\w+)=(.*)$/.exec(line.trim());
    if (match) env[match[1]] = match[2].replace(/^'(.*)'$/, '$1').replace(/\\(.)/g, '$1');
  }
  return env;
}

/** Free ports for every service of a platform a test starts beside others (no console). */
export async function freePlatformPorts(): Promise<PlatformPorts> {
  const [gatewayHttp, cleanerHttp, aggregatorHttp, storeHttp, storeGrpc, forecastHttp, forecastGrpc] =
    await Promise.all(Array.from({ length: 7 }, () => freePort()));
  return { gatewayHttp, cleanerHttp, aggregatorHttp, storeHttp, storeGrpc, forecastHttp, forecastGrpc };
}

/**
 * The infrastructure environment of a test that owns its NATS server (`natsUrl`) and shares the
 * test run's Cassandra (started by the Jest global setup, which exports its address).
 */
export function sharedCassandraEnv(natsUrl: string): Record<string, string> {
  const contactPoints = process.env.PULSE_CASSANDRA_CONTACT_POINTS;
  const localDc = process.env.PULSE_CASSANDRA_LOCAL_DC;
  if (!contactPoints || !localDc) {
    throw new Error('PULSE_CASSANDRA_CONTACT_POINTS/PULSE_CASSANDRA_LOCAL_DC unset: run under the Jest global setup');
  }
  return {
    PULSE_NATS_URL: natsUrl,
    PULSE_CASSANDRA_CONTACT_POINTS: contactPoints,
    PULSE_CASSANDRA_LOCAL_DC: localDc,
  };
}

export function serviceEnv(name: ServiceName, settings: PlatformSettings): Record<string, string> {
  const { ports, secrets } = settings;
  const common: Record<string, string> = {
    ...settings.infraEnv,
    ...natsServiceEnv(name, settings.infraEnv),
    PULSE_CASSANDRA_KEYSPACE: settings.keyspace,
    PULSE_PARTITIONS: String(settings.partitions ?? 16),
    PULSE_API_KEYS_FILE: secrets.apiKeysFile,
    PULSE_SHUTDOWN_TIMEOUT_MS: '20000',
  };
  const own: Record<ServiceName, Record<string, string>> = {
    'ingest-gateway': { PULSE_INGEST_HTTP_PORT: String(ports.gatewayHttp), PULSE_INGEST_HOST: '127.0.0.1' },
    cleaner: {
      PULSE_CLEANER_HTTP_PORT: String(ports.cleanerHttp),
      PULSE_CLEANER_HOST: '127.0.0.1',
      PULSE_CLEANER_PSEUDONYM_KEY: secrets.pseudonymKey,
    },
    aggregator: { PULSE_AGGREGATOR_HTTP_PORT: String(ports.aggregatorHttp), PULSE_AGGREGATOR_HOST: '127.0.0.1' },
    store: {
      PULSE_STORE_HTTP_PORT: String(ports.storeHttp),
      PULSE_STORE_GRPC_PORT: String(ports.storeGrpc),
      PULSE_STORE_HOST: '127.0.0.1',
    },
    forecast: {
      PULSE_FORECAST_HTTP_PORT: String(ports.forecastHttp),
      PULSE_FORECAST_GRPC_PORT: String(ports.forecastGrpc),
      PULSE_FORECAST_HOST: '127.0.0.1',
      PULSE_STORE_ADDR: `127.0.0.1:${ports.storeGrpc}`,
      PULSE_FORECAST_WATCH_KEYS_FILE: secrets.watchKeysFile,
    },
  };
  return { ...common, ...own[name], ...(settings.extraEnv?.[name] ?? {}) };
}

/** http, or https when the service's environment gives it a certificate (PULSE_TLS_CERT_FILE). */
function readyUrl(name: ServiceName, ports: PlatformPorts, scheme: 'http' | 'https' = 'http'): string {
  const port = {
    'ingest-gateway': ports.gatewayHttp,
    cleaner: ports.cleanerHttp,
    aggregator: ports.aggregatorHttp,
    store: ports.storeHttp,
    forecast: ports.forecastHttp,
  }[name];
  return `${scheme}://127.0.0.1:${port}/readyz`;
}

export function createServiceProcess(name: ServiceName, settings: PlatformSettings): ServiceProcess {
  return new ServiceProcess({
    name,
    env: serviceEnv(name, settings),
    readyUrl: readyUrl(name, settings.ports, httpScheme({ ...process.env, ...serviceEnv(name, settings) })),
    logFile: join(settings.runDir, 'logs', `${name}.log`),
    onLine: settings.onLine ? (line) => settings.onLine?.(name, line) : undefined,
  });
}

/** Exit codes by service; `console` only when the platform ran one. */
export type PlatformExitCodes = Record<ServiceName, number | null> & { console?: number | null };

/**
 * Every service as a child process, started in order and each waited on until ready; then the
 * console when the ports give it one.
 */
export class LocalPlatform {
  readonly services = new Map<PlatformServiceName, ServiceProcess>();

  constructor(readonly settings: PlatformSettings) {
    for (const name of SERVICE_NAMES) this.services.set(name, createServiceProcess(name, settings));
    if (settings.ports.consoleHttp !== undefined) this.services.set(CONSOLE_SERVICE, createConsoleProcess(settings));
  }

  /** The console's URL, or undefined when this platform runs none. */
  get consoleUrl(): string | undefined {
    return this.services.has(CONSOLE_SERVICE)
      ? consoleUrl(this.settings.ports, httpScheme({ ...process.env, ...consoleEnv(this.settings) }))
      : undefined;
  }

  service(name: PlatformServiceName): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`unknown service ${name}`);
    return service;
  }

  async start(onStarted?: (name: PlatformServiceName, ms: number) => void): Promise<void> {
    for (const name of SERVICE_NAMES) {
      const begin = Date.now();
      await this.service(name).start(name === 'store' ? 180_000 : 60_000);
      onStarted?.(name, Date.now() - begin);
    }
    const consoleProcess = this.services.get(CONSOLE_SERVICE);
    if (consoleProcess) {
      const begin = Date.now();
      await consoleProcess.start();
      onStarted?.(CONSOLE_SERVICE, Date.now() - begin);
    }
  }

  /** Restarts one service with extra environment (e.g. another mode), draining the old process first. */
  async reconfigure(name: PlatformServiceName, env: Record<string, string>): Promise<void> {
    await this.service(name).stop();
    const extraEnv = { ...this.settings.extraEnv, [name]: { ...(this.settings.extraEnv?.[name] ?? {}), ...env } };
    const settings = { ...this.settings, extraEnv };
    const replacement =
      name === CONSOLE_SERVICE ? createConsoleProcess(settings) : createServiceProcess(name, settings);
    this.services.set(name, replacement);
    await replacement.start();
  }

  /** Last resort when the runner itself exits: no service outlives it. */
  signalAll(signal: NodeJS.Signals): void {
    for (const service of this.services.values()) service.signal(signal);
  }

  /** The console first (it only reads), then reverse order: stop taking traffic, drain each stage into the next. */
  async stop(): Promise<PlatformExitCodes> {
    const codes = {} as PlatformExitCodes;
    const consoleProcess = this.services.get(CONSOLE_SERVICE);
    if (consoleProcess) codes.console = await consoleProcess.stop();
    for (const name of [...SERVICE_NAMES].reverse()) codes[name] = await this.service(name).stop();
    return codes;
  }
}
