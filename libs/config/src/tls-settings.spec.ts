import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadCassandraSecurity } from './cassandra-security.js';
import { ConfigError } from './config-error.js';
import { httpScheme, httpsServerOptions, loadClientTls, loadServerTls } from './tls-settings.js';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----\n';

/** The ConfigError's problems (each names its variable), or [] when it does not throw. */
function problems(load: () => unknown): readonly string[] {
  try {
    load();
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('TLS settings of Pulse endpoints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-tls-settings-'));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const cert = file('cert.pem', CERT);
  const key = file('key.pem', KEY);
  const ca = file('ca.pem', CERT);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is plain text when nothing is set (empty values count as unset)', () => {
    expect(loadServerTls({})).toBeUndefined();
    expect(loadClientTls({ PULSE_TLS_CA_FILE: ' ' })).toBeUndefined();
    expect(httpsServerOptions({})).toEqual({});
    expect(httpScheme({})).toBe('http');
  });

  it('reads the server certificate and key, and the client CA that turns on mTLS', () => {
    const tls = loadServerTls({ PULSE_TLS_CERT_FILE: cert, PULSE_TLS_KEY_FILE: key, PULSE_TLS_CLIENT_CA_FILE: ca });
    expect(tls?.cert.toString()).toBe(CERT);
    expect(tls?.key.toString()).toBe(KEY);
    expect(tls?.clientCa?.toString()).toBe(CERT);
    expect(httpsServerOptions({ PULSE_TLS_CERT_FILE: cert, PULSE_TLS_KEY_FILE: key })).toEqual({
      https: { cert: Buffer.from(CERT), key: Buffer.from(KEY), minVersion: 'TLSv1.2' },
    });
    expect(
      httpsServerOptions({ PULSE_TLS_CERT_FILE: cert, PULSE_TLS_KEY_FILE: key, PULSE_TLS_CLIENT_CA_FILE: ca }).https,
    ).toMatchObject({ ca: Buffer.from(CERT), requestCert: true, rejectUnauthorized: true });
    expect(httpScheme({ PULSE_TLS_CERT_FILE: cert })).toBe('https');
  });

  it('refuses a certificate without its key, and a key without its certificate, naming the variable', () => {
    expect(problems(() => loadServerTls({ PULSE_TLS_CERT_FILE: cert }))).toEqual([
      'PULSE_TLS_KEY_FILE: unset, but PULSE_TLS_CERT_FILE is set (both or neither)',
    ]);
    expect(problems(() => loadServerTls({ PULSE_TLS_KEY_FILE: key }))[0]).toMatch(/^PULSE_TLS_CERT_FILE: unset/);
  });

  it('refuses missing, empty and non-PEM files and a client CA without a server certificate', () => {
    expect(
      problems(() => loadServerTls({ PULSE_TLS_CERT_FILE: join(dir, 'nope.pem'), PULSE_TLS_KEY_FILE: key })),
    ).toEqual([`PULSE_TLS_CERT_FILE: file ${join(dir, 'nope.pem')} does not exist`]);
    expect(problems(() => loadClientTls({ PULSE_TLS_CA_FILE: file('empty.pem', '') }))[0]).toMatch(
      /^PULSE_TLS_CA_FILE: file .* is empty$/,
    );
    expect(problems(() => loadServerTls({ PULSE_TLS_CERT_FILE: key, PULSE_TLS_KEY_FILE: cert }))).toEqual([
      'PULSE_TLS_CERT_FILE: not a PEM certificate',
      'PULSE_TLS_KEY_FILE: not a PEM private key',
    ]);
    expect(problems(() => loadServerTls({ PULSE_TLS_CLIENT_CA_FILE: ca }))[0]).toMatch(
      /^PULSE_TLS_CLIENT_CA_FILE: set, but PULSE_TLS_CERT_FILE\/PULSE_TLS_KEY_FILE are not/,
    );
    expect(problems(() => loadServerTls({ PULSE_TLS_CERT_FILE: dir, PULSE_TLS_KEY_FILE: key }))).toEqual([
      `PULSE_TLS_CERT_FILE: ${dir} is not a file`,
    ]);
  });

  it('gives a client the CA, and its own certificate when the process has one', () => {
    expect(loadClientTls({ PULSE_TLS_CA_FILE: ca })).toEqual({ ca: Buffer.from(CERT) });
    expect(loadClientTls({ PULSE_TLS_CA_FILE: ca, PULSE_TLS_CERT_FILE: cert, PULSE_TLS_KEY_FILE: key })).toEqual({
      ca: Buffer.from(CERT),
      cert: Buffer.from(CERT),
      key: Buffer.from(KEY),
    });
    // Without a CA a client stays plain text: its server certificate alone says nothing to trust.
    expect(loadClientTls({ PULSE_TLS_CERT_FILE: cert, PULSE_TLS_KEY_FILE: key })).toBeUndefined();
  });

  describe('Cassandra credentials and TLS', () => {
    const passwordFile = file('pulse.password', 's3cret-value\n');

    it('reads the password from its file (one trailing line break dropped) and the CA', () => {
      expect(
        loadCassandraSecurity({
          PULSE_CASSANDRA_USERNAME: 'pulse',
          PULSE_CASSANDRA_PASSWORD_FILE: passwordFile,
          PULSE_CASSANDRA_TLS_CA_FILE: ca,
        }),
      ).toEqual({ credentials: { username: 'pulse', password: 's3cret-value' }, tls: { ca: Buffer.from(CERT) } });
      expect(loadCassandraSecurity({})).toEqual({});
    });

    it('takes a client certificate only with its key and the CA', () => {
      expect(
        loadCassandraSecurity({
          PULSE_CASSANDRA_TLS_CA_FILE: ca,
          PULSE_CASSANDRA_TLS_CERT_FILE: cert,
          PULSE_CASSANDRA_TLS_KEY_FILE: key,
        }).tls,
      ).toEqual({ ca: Buffer.from(CERT), cert: Buffer.from(CERT), key: Buffer.from(KEY) });
      expect(
        problems(() => loadCassandraSecurity({ PULSE_CASSANDRA_TLS_CA_FILE: ca, PULSE_CASSANDRA_TLS_CERT_FILE: cert })),
      ).toEqual(['PULSE_CASSANDRA_TLS_KEY_FILE: unset, but PULSE_CASSANDRA_TLS_CERT_FILE is set (both or neither)']);
      expect(
        problems(() =>
          loadCassandraSecurity({ PULSE_CASSANDRA_TLS_CERT_FILE: cert, PULSE_CASSANDRA_TLS_KEY_FILE: key }),
        ),
      ).toEqual(['PULSE_CASSANDRA_TLS_CA_FILE: unset, but a client certificate is set (TLS needs the CA)']);
    });

    it('refuses a username without a password file and the reverse, and never shows the password', () => {
      expect(problems(() => loadCassandraSecurity({ PULSE_CASSANDRA_USERNAME: 'pulse' }))).toEqual([
        'PULSE_CASSANDRA_PASSWORD_FILE: unset, but PULSE_CASSANDRA_USERNAME is set',
      ]);
      expect(problems(() => loadCassandraSecurity({ PULSE_CASSANDRA_PASSWORD_FILE: passwordFile }))).toEqual([
        'PULSE_CASSANDRA_USERNAME: unset, but PULSE_CASSANDRA_PASSWORD_FILE is set',
      ]);
      const blank = file('blank.password', '\n');
      const reported = problems(() =>
        loadCassandraSecurity({ PULSE_CASSANDRA_USERNAME: 'pulse', PULSE_CASSANDRA_PASSWORD_FILE: blank }),
      );
      expect(reported).toEqual(['PULSE_CASSANDRA_PASSWORD_FILE: the file holds only a line break']);
      const missing = problems(() =>
        loadCassandraSecurity({ PULSE_CASSANDRA_USERNAME: 'pulse', PULSE_CASSANDRA_PASSWORD_FILE: join(dir, 'none') }),
      );
      expect(missing).toEqual([`PULSE_CASSANDRA_PASSWORD_FILE: file ${join(dir, 'none')} does not exist`]);
      expect(
        JSON.stringify(
          problems(() =>
            loadCassandraSecurity({
              PULSE_CASSANDRA_USERNAME: 'pulse',
              PULSE_CASSANDRA_PASSWORD_FILE: passwordFile,
              PULSE_CASSANDRA_TLS_CA_FILE: passwordFile,
            }),
          ),
        ),
      ).not.toContain('s3cret');
    });
  });
});
