import { ConfigError } from '@pulse/config';

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describeNatsClient, natsClientOptions } from './nats-client-options.js';

const dir = mkdtempSync(join(tmpdir(), 'pulse-nats-options-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
};
const PEM_CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
const password = file('cleaner.password', 's3cret-password\n');
const ca = file('ca.pem', PEM_CERT);
const cert = file('client.pem', PEM_CERT);
const key = file('client.key', PEM_KEY);

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    natsClientOptions(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('natsClientOptions', () => {
  it('is empty without any PULSE_NATS_* variable: no user, no TLS (today’s behaviour)', () => {
    expect(natsClientOptions({})).toEqual({});
    expect(natsClientOptions({ PULSE_NATS_USER: '  ', PULSE_NATS_TLS_CA_FILE: '' })).toEqual({});
  });

  it('reads the password from its file (trailing newline dropped) and gives the user its own inbox prefix', () => {
    expect(natsClientOptions({ PULSE_NATS_USER: 'cleaner', PULSE_NATS_PASSWORD_FILE: password })).toEqual({
      user: 'cleaner',
      pass: 's3cret-password',
      inboxPrefix: '_INBOX.cleaner',
    });
  });

  it('turns TLS on with the CA, and adds the client certificate when both cert and key are set', () => {
    expect(natsClientOptions({ PULSE_NATS_TLS_CA_FILE: ca })).toEqual({ tls: { ca: PEM_CERT } });
    expect(
      natsClientOptions({ PULSE_NATS_TLS_CA_FILE: ca, PULSE_NATS_TLS_CERT_FILE: cert, PULSE_NATS_TLS_KEY_FILE: key }),
    ).toEqual({ tls: { ca: PEM_CERT, cert: PEM_CERT, key: PEM_KEY } });
  });

  it('requires TLS (system CAs) for tls:// URLs without a CA file', () => {
    expect(natsClientOptions({}, ['tls://nats.example:4222'])).toEqual({ tls: {} });
    expect(natsClientOptions({}, ['nats://127.0.0.1:4222'])).toEqual({});
  });

  it('refuses a user without a password file and a password file without a user', () => {
    expect(problemsOf({ PULSE_NATS_USER: 'cleaner' })).toEqual([
      'PULSE_NATS_PASSWORD_FILE: unset, but PULSE_NATS_USER is set (both or neither)',
    ]);
    expect(problemsOf({ PULSE_NATS_PASSWORD_FILE: password })).toEqual([
      'PULSE_NATS_USER: unset, but PULSE_NATS_PASSWORD_FILE is set (both or neither)',
    ]);
  });

  it('names the variable of a missing, empty or unreadable file, never its content', () => {
    const missing = join(dir, 'missing.password');
    expect(problemsOf({ PULSE_NATS_USER: 'cleaner', PULSE_NATS_PASSWORD_FILE: missing })).toEqual([
      `PULSE_NATS_PASSWORD_FILE: file ${missing} does not exist`,
    ]);
    const blank = file('blank.password', '  \n');
    expect(problemsOf({ PULSE_NATS_USER: 'cleaner', PULSE_NATS_PASSWORD_FILE: blank })).toEqual([
      'PULSE_NATS_PASSWORD_FILE: the file holds only white space',
    ]);
    expect(problemsOf({ PULSE_NATS_USER: 'cleaner', PULSE_NATS_PASSWORD_FILE: dir })[0]).toMatch(
      /^PULSE_NATS_PASSWORD_FILE: .* is not a file$/,
    );
    if (process.getuid?.() !== 0) {
      const locked = file('locked.password', 'x');
      chmodSync(locked, 0o000);
      expect(problemsOf({ PULSE_NATS_USER: 'cleaner', PULSE_NATS_PASSWORD_FILE: locked })[0]).toMatch(/cannot read/);
    }
    const wrong = file('wrong.pem', 's3cret-password');
    const problems = problemsOf({ PULSE_NATS_TLS_CA_FILE: wrong });
    expect(problems).toEqual(['PULSE_NATS_TLS_CA_FILE: not a PEM certificate']);
    expect(problems.join()).not.toContain('s3cret');
  });

  it('refuses a client certificate without its key (and the reverse)', () => {
    expect(problemsOf({ PULSE_NATS_TLS_CA_FILE: ca, PULSE_NATS_TLS_CERT_FILE: cert })).toEqual([
      'PULSE_NATS_TLS_KEY_FILE: unset, but PULSE_NATS_TLS_CERT_FILE is set (both or neither)',
    ]);
    expect(problemsOf({ PULSE_NATS_TLS_KEY_FILE: key })).toEqual([
      'PULSE_NATS_TLS_CERT_FILE: unset, but PULSE_NATS_TLS_KEY_FILE is set (both or neither)',
    ]);
  });

  it('refuses a user name that is not one subject token', () => {
    expect(problemsOf({ PULSE_NATS_USER: 'a.b', PULSE_NATS_PASSWORD_FILE: password })[0]).toMatch(
      /^PULSE_NATS_USER: must be 1-64 of/,
    );
  });

  it('describes the connection for the log without the password', () => {
    const options = natsClientOptions({
      PULSE_NATS_USER: 'cleaner',
      PULSE_NATS_PASSWORD_FILE: password,
      PULSE_NATS_TLS_CA_FILE: ca,
    });
    expect(describeNatsClient(options)).toBe('as cleaner, TLS');
    expect(describeNatsClient({})).toBe('without a user, plain text');
  });
});
