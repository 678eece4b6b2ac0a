import { existsSync, readFileSync, statSync } from 'node:fs';
import { type ServerOptions } from 'node:https';

import { ConfigError } from './config-error.js';

/**
 * TLS of Pulse's own endpoints (every HTTP port, the gRPC ports of gateway, store and forecast),
 * from files named by environment variables; all optional, unset = plain text as before.
 *
 * Server side: PULSE_TLS_CERT_FILE + PULSE_TLS_KEY_FILE turn TLS on; PULSE_TLS_CLIENT_CA_FILE
 * additionally requires a client certificate signed by that CA (mTLS).
 * Client side: PULSE_TLS_CA_FILE is the trust anchor of the Pulse endpoints a process calls; a
 * process that has PULSE_TLS_CERT_FILE/KEY presents that pair as its client certificate too.
 */
export const TLS_ENV = {
  cert: 'PULSE_TLS_CERT_FILE',
  key: 'PULSE_TLS_KEY_FILE',
  clientCa: 'PULSE_TLS_CLIENT_CA_FILE',
  ca: 'PULSE_TLS_CA_FILE',
} as const;

export interface ServerTlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** Set: a client must present a certificate this CA signed. */
  clientCa?: Buffer;
}

export interface ClientTlsMaterial {
  /** Trust anchor for the server's certificate. */
  ca: Buffer;
  /** Client certificate and key, presented when the server asks (mTLS). */
  cert?: Buffer;
  key?: Buffer;
}

type Env = Record<string, string | undefined>;

function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

/**
 * Reads the file a variable names; a missing, unreadable or empty file is a ConfigError naming
 * the variable (never the file's content).
 */
export function readSettingFile(env: Env, name: string, problems: string[]): Buffer | undefined {
  const path = value(env, name);
  if (path === undefined) return undefined;
  try {
    if (!existsSync(path)) {
      problems.push(`${name}: file ${path} does not exist`);
      return undefined;
    }
    if (!statSync(path).isFile()) {
      problems.push(`${name}: ${path} is not a file`);
      return undefined;
    }
    const content = readFileSync(path);
    if (content.length === 0) {
      problems.push(`${name}: file ${path} is empty`);
      return undefined;
    }
    return content;
  } catch (error) {
    problems.push(`${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}

/** A certificate and its key: both or neither. */
function readPair(env: Env, certVar: string, keyVar: string, problems: string[]) {
  const hasCert = value(env, certVar) !== undefined;
  const hasKey = value(env, keyVar) !== undefined;
  if (hasCert !== hasKey) {
    problems.push(
      hasCert
        ? `${keyVar}: unset, but ${certVar} is set (both or neither)`
        : `${certVar}: unset, but ${keyVar} is set (both or neither)`,
    );
    return undefined;
  }
  if (!hasCert) return undefined;
  const cert = readSettingFile(env, certVar, problems);
  const key = readSettingFile(env, keyVar, problems);
  if (cert && !cert.includes('-----BEGIN CERTIFICATE-----')) problems.push(`${certVar}: not a PEM certificate`);
  if (key && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.toString('latin1'))) {
    problems.push(`${keyVar}: not a PEM private key`);
  }
  return cert && key ? { cert, key } : undefined;
}

function readCa(env: Env, name: string, problems: string[]): Buffer | undefined {
  const ca = readSettingFile(env, name, problems);
  if (ca && !ca.includes('-----BEGIN CERTIFICATE-----')) problems.push(`${name}: not a PEM certificate`);
  return ca;
}

function throwIf(problems: string[]): void {
  if (problems.length > 0) throw new ConfigError(problems);
}

/** The server's certificate (and client CA) or undefined for plain text. Throws ConfigError. */
export function loadServerTls(env: Env = process.env): ServerTlsMaterial | undefined {
  const problems: string[] = [];
  const pair = readPair(env, TLS_ENV.cert, TLS_ENV.key, problems);
  const clientCa = readCa(env, TLS_ENV.clientCa, problems);
  if (clientCa && !pair && problems.length === 0) {
    problems.push(
      `${TLS_ENV.clientCa}: set, but ${TLS_ENV.cert}/${TLS_ENV.key} are not (client certificates need TLS)`,
    );
  }
  throwIf(problems);
  return pair ? Object.freeze({ ...pair, ...(clientCa ? { clientCa } : {}) }) : undefined;
}

/**
 * What a client of Pulse endpoints trusts, or undefined for plain text. The process's own
 * certificate (PULSE_TLS_CERT_FILE/KEY), if it has one, is its client certificate. Throws
 * ConfigError.
 */
export function loadClientTls(env: Env = process.env): ClientTlsMaterial | undefined {
  const problems: string[] = [];
  const ca = readCa(env, TLS_ENV.ca, problems);
  const pair = ca ? readPair(env, TLS_ENV.cert, TLS_ENV.key, problems) : undefined;
  throwIf(problems);
  return ca ? Object.freeze({ ca, ...(pair ?? {}) }) : undefined;
}

/** Fastify's `https` option (node `https.createServer` options), or nothing for plain HTTP. */
export type HttpsServerOptions = { https: ServerOptions } | Record<string, never>;

/**
 * Node `https` server options for Fastify (`new FastifyAdapter(httpsServerOptions())`): `{ https }`
 * with TLS on, else `{}` (plain HTTP). With a client CA every request needs a client
 * certificate, health probes included.
 */
export function httpsServerOptions(env: Env = process.env): HttpsServerOptions {
  const tls = loadServerTls(env);
  if (!tls) return {};
  return {
    https: {
      cert: tls.cert,
      key: tls.key,
      minVersion: 'TLSv1.2',
      ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
    },
  };
}

/** `https` when this process serves TLS, else `http` — for the URLs it prints or probes. */
export function httpScheme(env: Env = process.env): 'http' | 'https' {
  return value(env, TLS_ENV.cert) ? 'https' : 'http';
}
