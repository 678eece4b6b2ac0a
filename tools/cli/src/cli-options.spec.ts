import { proto } from '@pulse/contracts';

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  connection,
  defaultSeriesGranularity,
  granularity,
  joinDashValues,
  list,
  parseOptions,
  positiveInteger,
} from './cli-options.js';
import { UsageError } from './usage-error.js';

const { Granularity } = proto.pulse.store.v1;
const HOUR = 3_600_000;

describe('parseOptions', () => {
  const options = { metric: { type: 'string', multiple: true }, k: { type: 'string', short: 'k' } } as const;

  it('takes `--since -24h` as written (parseArgs alone refuses values starting with a dash)', () => {
    expect(joinDashValues(['--since', '-24h', '--json'], { since: { type: 'string' } })).toEqual([
      '--since=-24h',
      '--json',
    ]);
    const values = parseOptions(
      ['--since', '-24h', '--until', '-1h', '-k', '5', '--metric', 'a', '--metric', 'b'],
      options,
    );
    expect(values).toMatchObject({ since: '-24h', until: '-1h', k: '5', metric: ['a', 'b'], json: false });
  });

  it('turns unknown options and missing values into usage errors', () => {
    expect(() => parseOptions(['--bogus'], options)).toThrow(UsageError);
    expect(() => parseOptions(['--since'], options)).toThrow(/--since/);
    expect(() => parseOptions(['stray'], options)).toThrow(UsageError);
  });
});

describe('connection', () => {
  it('takes flags before the environment and defaults the store address', () => {
    expect(connection({ 'tenant-key': 'k1', timeout: '3s' }, { PULSE_API_KEY: 'k2' })).toMatchObject({
      address: '127.0.0.1:50051',
      apiKey: 'k1',
      deadlineMs: 3_000,
    });
    expect(connection({}, { PULSE_API_KEY: 'k2', PULSE_STORE_ADDR: 'store:7000' })).toMatchObject({
      address: 'store:7000',
      apiKey: 'k2',
      deadlineMs: 10_000,
    });
    expect(connection({ store: 'a:1' }, { PULSE_API_KEY: 'k', PULSE_STORE_ADDR: 'b:2' }).address).toBe('a:1');
  });

  it('calls over TLS with --tls-ca or PULSE_TLS_CA_FILE, in plain text without, and names a bad CA file', () => {
    const ca = join(mkdtempSync(join(tmpdir(), 'pulse-cli-tls-')), 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const secure = (values: { 'tls-ca'?: string }, env: Record<string, string>) =>
      connection(values, { PULSE_API_KEY: 'k', ...env }).channelCredentials._isSecure();
    expect(secure({}, {})).toBe(false);
    expect(secure({ 'tls-ca': ca }, {})).toBe(true);
    expect(secure({}, { PULSE_TLS_CA_FILE: ca })).toBe(true);
    expect(() => connection({ 'tls-ca': '/nonexistent/ca.pem' }, { PULSE_API_KEY: 'k' })).toThrow(
      new UsageError('--tls-ca: file /nonexistent/ca.pem does not exist'),
    );
  });

  it('needs a key and a HOST:PORT', () => {
    expect(() => connection({}, {})).toThrow(/no API key: pass --tenant-key KEY or set PULSE_API_KEY/);
    expect(() => connection({ store: 'localhost' }, { PULSE_API_KEY: 'k' })).toThrow(
      /--store: "localhost" is not HOST:PORT/,
    );
  });
});

describe('granularities, lists and numbers', () => {
  it('maps 1m/1h/1d (and auto where allowed)', () => {
    expect(granularity('1m', false)).toBe(Granularity.GRANULARITY_MINUTE);
    expect(granularity('auto', true)).toBe(Granularity.GRANULARITY_UNSPECIFIED);
    expect(() => granularity('auto', false)).toThrow(/not one of 1m, 1h, 1d$/);
    expect(() => granularity('5m', true)).toThrow(UsageError);
  });

  it('picks minutes up to a day, hours up to a month, then days for a series', () => {
    expect(defaultSeriesGranularity(0, 24 * HOUR)).toBe(Granularity.GRANULARITY_MINUTE);
    expect(defaultSeriesGranularity(0, 25 * HOUR)).toBe(Granularity.GRANULARITY_HOUR);
    expect(defaultSeriesGranularity(0, 32 * 24 * HOUR)).toBe(Granularity.GRANULARITY_DAY);
  });

  it('reads repeated and comma-separated lists, and positive integers', () => {
    expect(list(['a,b', ' c '], ['x'])).toEqual(['a', 'b', 'c']);
    expect(list(undefined, ['x'])).toEqual(['x']);
    expect(positiveInteger('7', '-k', 10)).toBe(7);
    expect(positiveInteger(undefined, '-k', 10)).toBe(10);
    expect(() => positiveInteger('0', '-k', 10)).toThrow(/-k: "0" is not a positive integer/);
  });
});
