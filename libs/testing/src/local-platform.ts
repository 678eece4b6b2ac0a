import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ServiceProcess } from './service-process.js';

/** Start order: the store first (it owns the schema), the gateway last (it takes traffic). */
export const SERVICE_NAMES = ['store', 'forecast', 'aggregator', 'cleaner', 'ingest-gateway'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface PlatformPorts {
  gatewayHttp: number;
  cleanerHttp: number;
  aggregatorHttp: number;
  storeHttp: number;
  storeGrpc: number;
  forecastHttp: number;
  forecastGrpc: number;
}

export const DEFAULT_PORTS: PlatformPorts = {
  gatewayHttp: 8080,
  cleanerHttp: 8081,
  aggregatorHttp: 8082,
  storeHttp: 8083,
  storeGrpc: 50051,
  forecastHttp: 8084,
  forecastGrpc: 50052,
};

/** Ports shifted by an offset, so a test platform can run beside the demo one. */
export function portsWithOffset(offset: number): PlatformPorts {
  return Object.fromEntries(Object.entries(DEFAULT_PORTS).map(([k, v]) => [k, v + offset])) as unknown as PlatformPorts;
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
  extraEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  onLine?: (service: ServiceName, line: string) => void;
}

export function serviceEnv(name: ServiceName, settings: PlatformSettings): Record<string, string> {
  const { ports, secrets } = settings;
  const common: Record<string, string> = {
    ...settings.infraEnv,
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

function readyUrl(name: ServiceName, ports: PlatformPorts): string {
  const port = {
    'ingest-gateway': ports.gatewayHttp,
    cleaner: ports.cleanerHttp,
    aggregator: ports.aggregatorHttp,
    store: ports.storeHttp,
    forecast: ports.forecastHttp,
  }[name];
  return `http://127.0.0.1:${port}/readyz`;
}

export function createServiceProcess(name: ServiceName, settings: PlatformSettings): ServiceProcess {
  return new ServiceProcess({
    name,
    env: serviceEnv(name, settings),
    readyUrl: readyUrl(name, settings.ports),
    logFile: join(settings.runDir, 'logs', `${name}.log`),
    onLine: settings.onLine ? (line) => settings.onLine?.(name, line) : undefined,
  });
}

/** Every service as a child process, started in order and each waited on until ready. */
export class LocalPlatform {
  readonly services = new Map<ServiceName, ServiceProcess>();

  constructor(readonly settings: PlatformSettings) {
    for (const name of SERVICE_NAMES) this.services.set(name, createServiceProcess(name, settings));
  }

  service(name: ServiceName): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`unknown service ${name}`);
    return service;
  }

  async start(onStarted?: (name: ServiceName, ms: number) => void): Promise<void> {
    for (const name of SERVICE_NAMES) {
      const begin = Date.now();
      await this.service(name).start(name === 'store' ? 180_000 : 60_000);
      onStarted?.(name, Date.now() - begin);
    }
  }

  /** Restarts one service with extra environment (e.g. another mode), draining the old process first. */
  async reconfigure(name: ServiceName, env: Record<string, string>): Promise<void> {
    await this.service(name).stop();
    const extraEnv = { ...this.settings.extraEnv, [name]: { ...(this.settings.extraEnv?.[name] ?? {}), ...env } };
    const replacement = createServiceProcess(name, { ...this.settings, extraEnv });
    this.services.set(name, replacement);
    await replacement.start();
  }

  /** Last resort when the runner itself exits: no service outlives it. */
  signalAll(signal: NodeJS.Signals): void {
    for (const service of this.services.values()) service.signal(signal);
  }

  /** Reverse order: stop taking traffic first, then drain each stage into the next. */
  async stop(): Promise<Record<ServiceName, number | null>> {
    const codes = {} as Record<ServiceName, number | null>;
    for (const name of [...SERVICE_NAMES].reverse()) codes[name] = await this.service(name).stop();
    return codes;
  }
}
