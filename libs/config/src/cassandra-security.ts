import { ConfigError } from './config-error.js';
import { readSettingFile } from './tls-settings.js';

/** The Cassandra settings that carry credentials and TLS (see CassandraSettings). */
export interface CassandraSecuritySettings {
  PULSE_CASSANDRA_USERNAME?: string;
  PULSE_CASSANDRA_PASSWORD_FILE?: string;
  PULSE_CASSANDRA_TLS_CA_FILE?: string;
  PULSE_CASSANDRA_TLS_CERT_FILE?: string;
  PULSE_CASSANDRA_TLS_KEY_FILE?: string;
}

export interface CassandraSecurity {
  /** PasswordAuthenticator credentials; the password comes from a file, never the environment. */
  credentials?: { username: string; password: string };
  /** Client TLS: the CA that signed the nodes' certificates, and an optional client certificate. */
  tls?: { ca: Buffer; cert?: Buffer; key?: Buffer };
}

/**
 * Reads the password and TLS files the Cassandra settings name, once at start-up. Every problem
 * (a username without a password file, a missing file, a certificate without its key) is a
 * ConfigError naming the variable; the password itself never appears in a message.
 */
export function loadCassandraSecurity(settings: CassandraSecuritySettings): CassandraSecurity {
  const env = settings as Record<string, string | undefined>;
  const problems: string[] = [];
  const result: CassandraSecurity = {};
  const username = settings.PULSE_CASSANDRA_USERNAME?.trim() || undefined;
  const hasPasswordFile = Boolean(settings.PULSE_CASSANDRA_PASSWORD_FILE?.trim());
  if (username && !hasPasswordFile) {
    problems.push('PULSE_CASSANDRA_PASSWORD_FILE: unset, but PULSE_CASSANDRA_USERNAME is set');
  } else if (!username && hasPasswordFile) {
    problems.push('PULSE_CASSANDRA_USERNAME: unset, but PULSE_CASSANDRA_PASSWORD_FILE is set');
  } else if (username) {
    // One trailing newline (echo > file, Kubernetes Secrets made from files) is not part of it.
    const password = readSettingFile(env, 'PULSE_CASSANDRA_PASSWORD_FILE', problems)
      ?.toString('utf8')
      .replace(/\r?\n$/, '');
    if (password !== undefined && password.length === 0) {
      problems.push('PULSE_CASSANDRA_PASSWORD_FILE: the file holds only a line break');
    } else if (password !== undefined) {
      result.credentials = { username, password };
    }
  }
  const hasCert = Boolean(settings.PULSE_CASSANDRA_TLS_CERT_FILE?.trim());
  const hasKey = Boolean(settings.PULSE_CASSANDRA_TLS_KEY_FILE?.trim());
  const hasCa = Boolean(settings.PULSE_CASSANDRA_TLS_CA_FILE?.trim());
  if (hasCert !== hasKey) {
    problems.push(
      hasCert
        ? 'PULSE_CASSANDRA_TLS_KEY_FILE: unset, but PULSE_CASSANDRA_TLS_CERT_FILE is set (both or neither)'
        : 'PULSE_CASSANDRA_TLS_CERT_FILE: unset, but PULSE_CASSANDRA_TLS_KEY_FILE is set (both or neither)',
    );
  } else if (hasCert && !hasCa) {
    problems.push('PULSE_CASSANDRA_TLS_CA_FILE: unset, but a client certificate is set (TLS needs the CA)');
  }
  if (hasCa) {
    const ca = readSettingFile(env, 'PULSE_CASSANDRA_TLS_CA_FILE', problems);
    if (ca && !ca.includes('-----BEGIN CERTIFICATE-----'))
      problems.push('PULSE_CASSANDRA_TLS_CA_FILE: not a PEM certificate');
    const cert = hasCert && hasKey ? readSettingFile(env, 'PULSE_CASSANDRA_TLS_CERT_FILE', problems) : undefined;
    const key = hasCert && hasKey ? readSettingFile(env, 'PULSE_CASSANDRA_TLS_KEY_FILE', problems) : undefined;
    if (ca) result.tls = { ca, ...(cert && key ? { cert, key } : {}) };
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return result;
}
