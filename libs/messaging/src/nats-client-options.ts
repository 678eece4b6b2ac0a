import { ConfigError, readSettingFile } from '@pulse/config';

/** The variables a NATS client of Pulse reads (docs/security.md, "NATS"); all optional. */
export const NATS_ENV = {
  user: 'PULSE_NATS_USER',
  passwordFile: 'PULSE_NATS_PASSWORD_FILE',
  caFile: 'PULSE_NATS_TLS_CA_FILE',
  certFile: 'PULSE_NATS_TLS_CERT_FILE',
  keyFile: 'PULSE_NATS_TLS_KEY_FILE',
} as const;

/** What a NATS connection needs beyond its URLs: who it is and how it trusts the server. */
export interface NatsClientOptions {
  user?: string;
  pass?: string;
  /**
   * `_INBOX.<user>`: replies come back on subjects only this user may subscribe to (the server's
   * permissions allow `_INBOX.<user>.>`), so no service reads another's replies.
   */
  inboxPrefix?: string;
  /** PEM contents (read once at start-up); set = the connection must be TLS. */
  tls?: { ca?: string; cert?: string; key?: string };
}

type Env = Record<string, string | undefined>;

/** A user name is one subject token of its inbox prefix. */
const USER_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function pem(env: Env, name: string, kind: RegExp, what: string, problems: string[]): string | undefined {
  const content = readSettingFile(env, name, problems)?.toString('utf8');
  if (content !== undefined && !kind.test(content)) problems.push(`${name}: not a PEM ${what}`);
  return content;
}

/**
 * The NATS identity and TLS of this process from its environment; `{}` when nothing is set (no
 * auth, TLS only if a server demands it). Files are read here, once: a missing, unreadable or
 * empty one, a user without a password file (or the reverse) or a certificate without its key is
 * a ConfigError naming the variable — never the password.
 *
 * `tls://` URLs without PULSE_NATS_TLS_CA_FILE also require TLS, trusting the system's CAs.
 */
export function natsClientOptions(env: Env = process.env, servers: readonly string[] = []): NatsClientOptions {
  const problems: string[] = [];
  const options: NatsClientOptions = {};

  const user = value(env, NATS_ENV.user);
  const hasPasswordFile = value(env, NATS_ENV.passwordFile) !== undefined;
  if (user !== undefined && !USER_PATTERN.test(user)) {
    problems.push(`${NATS_ENV.user}: must be 1-64 of [A-Za-z0-9_-] (got ${JSON.stringify(user)})`);
  } else if (user !== undefined && !hasPasswordFile) {
    problems.push(`${NATS_ENV.passwordFile}: unset, but ${NATS_ENV.user} is set (both or neither)`);
  } else if (user === undefined && hasPasswordFile) {
    problems.push(`${NATS_ENV.user}: unset, but ${NATS_ENV.passwordFile} is set (both or neither)`);
  } else if (user !== undefined) {
    const pass = readSettingFile(env, NATS_ENV.passwordFile, problems)?.toString('utf8').trim();
    if (pass === '') problems.push(`${NATS_ENV.passwordFile}: the file holds only white space`);
    if (pass) Object.assign(options, { user, pass, inboxPrefix: `_INBOX.${user}` });
  }

  const certificate = /-----BEGIN CERTIFICATE-----/;
  const ca = pem(env, NATS_ENV.caFile, certificate, 'certificate', problems);
  const hasCert = value(env, NATS_ENV.certFile) !== undefined;
  const hasKey = value(env, NATS_ENV.keyFile) !== undefined;
  let cert: string | undefined;
  let key: string | undefined;
  if (hasCert !== hasKey) {
    problems.push(
      hasCert
        ? `${NATS_ENV.keyFile}: unset, but ${NATS_ENV.certFile} is set (both or neither)`
        : `${NATS_ENV.certFile}: unset, but ${NATS_ENV.keyFile} is set (both or neither)`,
    );
  } else if (hasCert) {
    cert = pem(env, NATS_ENV.certFile, certificate, 'certificate', problems);
    key = pem(env, NATS_ENV.keyFile, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'private key', problems);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const tlsUrl = servers.some((server) => /^tls:\/\//i.test(server.trim()));
  if (ca !== undefined || cert !== undefined || tlsUrl) {
    options.tls = { ...(ca !== undefined ? { ca } : {}), ...(cert !== undefined ? { cert, key } : {}) };
  }
  return Object.freeze(options);
}

/** For logs: who connects and how, without a secret. */
export function describeNatsClient(options: NatsClientOptions): string {
  const who = options.user ? `as ${options.user}` : 'without a user';
  const how = options.tls ? (options.tls.cert ? 'TLS with a client certificate' : 'TLS') : 'plain text';
  return `${who}, ${how}`;
}
