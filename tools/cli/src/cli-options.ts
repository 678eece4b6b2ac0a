import { ConfigError, loadClientTls } from '@pulse/config';
import { proto } from '@pulse/contracts';
import { channelCredentials } from '@pulse/grpc';

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { type ChannelCredentials } from '@grpc/grpc-js';

import { parseDuration, parseRange } from './time-range.js';
import { UsageError } from './usage-error.js';

const { Granularity } = proto.pulse.store.v1;
export type StoreGranularity = proto.pulse.store.v1.Granularity;
type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Options every query command takes. */
export const COMMON_OPTIONS = {
  store: { type: 'string' },
  'tenant-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  json: { type: 'boolean', default: false },
  timeout: { type: 'string', default: '10s' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsOptionsConfig;

const STORE_HELP = `
  --store HOST:PORT    the store's gRPC address (env PULSE_STORE_ADDR; default 127.0.0.1:50051)`;
const REST_HELP = `
  --tenant-key KEY     an API key with the query scope (env PULSE_API_KEY); it selects the tenant
  --tls-ca FILE        call over TLS, trusting this PEM CA (env PULSE_TLS_CA_FILE; a client
                       certificate from PULSE_TLS_CERT_FILE/PULSE_TLS_KEY_FILE if set)
  --json               print the answer as JSON (proto3 field names, times as ISO-8601)
  --timeout DURATION   deadline of each call (default 10s)
  -h, --help           this help`;
const TIMES_HELP = `

times (--since, --until): now | -24h, -15m, -7d, -2w (that long ago) | 2026-11-24 (midnight UTC) |
  2026-11-24T10:00Z (ISO-8601; UTC when the zone is left out). Ranges are [since, until).`;

/** Help of the common options; `store: false` for commands that talk to another service. */
export function commonHelp({ store = true, times = true } = {}): string {
  return `connection and output:${store ? STORE_HELP : ''}${REST_HELP}${times ? TIMES_HELP : ''}`;
}

export const COMMON_HELP = commonHelp();

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * node:util parseArgs refuses `--since -24h` (a value that starts with a dash); such values are
 * joined to their option (`--since=-24h`) when they look like a negative duration or number.
 */
export function joinDashValues(argv: readonly string[], options: ParseArgsOptionsConfig): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const token = argv[i] as string;
    const next = argv[i + 1];
    const name = token.startsWith('--') ? token.slice(2) : undefined;
    if (name && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${token}=${next}`);
      i += 1;
    } else out.push(token);
  }
  return out;
}

/** Parses one command's arguments (its own options plus the common ones); unknown options are usage errors. */
export function parseOptions<O extends ParseArgsOptionsConfig>(argv: readonly string[], options: O) {
  const all = { ...COMMON_OPTIONS, ...options };
  try {
    const config = { args: joinDashValues(argv, all), options: all, strict: true, allowPositionals: false } as const;
    return parseArgs(config).values;
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0] ?? String(error));
  }
}

export interface Connection {
  address: string;
  apiKey: string;
  deadlineMs: number;
  /** TLS with --tls-ca / PULSE_TLS_CA_FILE, else plain text. */
  channelCredentials: ChannelCredentials;
}

/** TLS of the call: the CA of --tls-ca or PULSE_TLS_CA_FILE, and the env's client certificate. */
export function tlsCredentials(values: { 'tls-ca'?: string }, env: Env): ChannelCredentials {
  try {
    return channelCredentials(
      loadClientTls({
        PULSE_TLS_CA_FILE: values['tls-ca'] ?? env.PULSE_TLS_CA_FILE,
        PULSE_TLS_CERT_FILE: env.PULSE_TLS_CERT_FILE,
        PULSE_TLS_KEY_FILE: env.PULSE_TLS_KEY_FILE,
      }),
    );
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problem = error.problems.join('; ');
    throw new UsageError(values['tls-ca'] ? problem.replace('PULSE_TLS_CA_FILE', '--tls-ca') : problem);
  }
}

/** Where to connect and as whom; `address` replaces the store's for another service. */
export function connection(
  values: { store?: string; 'tenant-key'?: string; 'tls-ca'?: string; timeout?: string },
  env: Env,
  service: { option: string; address: string | undefined } = {
    option: '--store',
    address: values.store ?? env.PULSE_STORE_ADDR ?? '127.0.0.1:50051',
  },
): Connection {
  const apiKey = values['tenant-key'] ?? env.PULSE_API_KEY;
  if (!apiKey) throw new UsageError('no API key: pass --tenant-key KEY or set PULSE_API_KEY');
  const address = service.address ?? '';
  if (!/^[^\s:]+:\d{1,5}$/.test(address) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(address)) {
    throw new UsageError(`${service.option}: ${JSON.stringify(address)} is not HOST:PORT`);
  }
  return {
    address,
    apiKey,
    deadlineMs: parseDuration(values.timeout ?? '10s', '--timeout'),
    channelCredentials: tlsCredentials(values, env),
  };
}

/** The forecast service's address and the caller's key (`--forecast`, env PULSE_FORECAST_ADDR). */
export function forecastConnection(
  values: { forecast?: string; 'tenant-key'?: string; 'tls-ca'?: string; timeout?: string },
  env: Env,
): Connection {
  return connection(values, env, {
    option: '--forecast',
    address: values.forecast ?? env.PULSE_FORECAST_ADDR ?? '127.0.0.1:50052',
  });
}

export const FORECAST_HELP = `  --forecast HOST:PORT the forecast service (env PULSE_FORECAST_ADDR; default 127.0.0.1:50052)`;

/** A comma-separated list of interval levels, each strictly between 0 and 1. */
export function intervalLevels(text: string): number[] {
  const levels = text.split(',').map((item) => Number(item.trim()));
  if (levels.length === 0 || levels.some((level) => !(level > 0 && level < 1))) {
    throw new UsageError(`--levels: ${JSON.stringify(text)} is not a list of levels between 0 and 1`);
  }
  return levels;
}

export function range(values: { since?: string; until?: string }, now: number, defaultSince = '-24h') {
  return parseRange(values.since ?? defaultSince, values.until ?? 'now', now);
}

const GRANULARITIES: Record<string, StoreGranularity> = {
  '1m': Granularity.GRANULARITY_MINUTE,
  '1h': Granularity.GRANULARITY_HOUR,
  '1d': Granularity.GRANULARITY_DAY,
  auto: Granularity.GRANULARITY_UNSPECIFIED,
};

export function granularity(text: string, allowAuto: boolean): StoreGranularity {
  const value = GRANULARITIES[text];
  if (value === undefined || (!allowAuto && text === 'auto')) {
    throw new UsageError(`--granularity: ${JSON.stringify(text)} is not one of 1m, 1h, 1d${allowAuto ? ', auto' : ''}`);
  }
  return value;
}

/** The finest window size that keeps a series readable: minutes up to a day, hours up to a month. */
export function defaultSeriesGranularity(from: number, to: number): StoreGranularity {
  const span = to - from;
  if (span <= 86_400_000) return Granularity.GRANULARITY_MINUTE;
  if (span <= 31 * 86_400_000) return Granularity.GRANULARITY_HOUR;
  return Granularity.GRANULARITY_DAY;
}

/** `--metric a --metric b` and `--metric a,b` alike. */
export function list(values: readonly string[] | undefined, fallback: readonly string[]): string[] {
  const items = (values ?? [])
    .flatMap((value) => value.split(','))
    .map((item) => item.trim())
    .filter(Boolean);
  return items.length > 0 ? items : [...fallback];
}

export function positiveInteger(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`${option}: ${JSON.stringify(text)} is not a positive integer`);
  return value;
}
