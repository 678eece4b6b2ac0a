import {
  normalizeTarget,
  parseLoadgenArgs,
  USAGE,
  UsageError,
  type ReplayCommand,
  type SimulateCommand,
} from './loadgen-options.js';

const KEY = ['--api-key', 'k-1'];

describe('parseLoadgenArgs', () => {
  it('reads the simulate example of the usage text', () => {
    const command = parseLoadgenArgs(
      [
        'simulate',
        '--target',
        'http://127.0.0.1:8080',
        ...KEY,
        '--rate',
        '500',
        '--duration',
        '60',
        '--seed',
        '42',
        '--dirty',
        '0.02',
        '--duplicates',
        '0.01',
        '--late',
        '0.01',
      ],
      {},
    ) as SimulateCommand;
    expect(command).toEqual(
      expect.objectContaining({
        command: 'simulate',
        target: 'http://127.0.0.1:8080/v1/events',
        apiKey: 'k-1',
        transport: 'http',
        rate: 500,
        duration: 60,
        seed: 42,
        dirty: 0.02,
        duplicates: 0.01,
        late: 0.01,
        maxLatenessMs: 120_000,
        batchSize: 250,
        concurrency: 4,
        flat: false,
        backfill: false,
      }),
    );
  });

  it('reads --trace-every in seconds, off by default', () => {
    expect(parseLoadgenArgs(['simulate', ...KEY, '--trace-every', '2.5'], {})).toMatchObject({ traceEvery: 2.5 });
    expect(parseLoadgenArgs(['simulate', ...KEY], {})).toMatchObject({ traceEvery: undefined });
  });

  it('reads --progress-json, off by default', () => {
    expect((parseLoadgenArgs(['simulate', ...KEY], {}) as SimulateCommand).progressJson).toBe(false);
    expect((parseLoadgenArgs(['simulate', ...KEY, '--progress-json'], {}) as SimulateCommand).progressJson).toBe(true);
  });

  it('reads a replay with its date format, zone, speed and time shift', () => {
    const command = parseLoadgenArgs(
      [
        'replay',
        '--file',
        'orders.csv',
        ...KEY,
        '--speed',
        '60',
        '--date-format',
        'YYYY-MM-DD HH:mm:ss',
        '--time-zone',
        'Europe/London',
        '--end-now',
      ],
      {},
    ) as ReplayCommand;
    expect(command.pacing).toEqual({ kind: 'speed', factor: 60 });
    expect(command.times).toBe('end-now');
    expect(command.timeZone.name).toBe('Europe/London');
    expect(command.dateFormat.text).toBe('YYYY-MM-DD HH:mm:ss');
    expect(command.currency).toBe('GBP');
    const backfill = parseLoadgenArgs(['replay', '--file', 'x.csv', ...KEY], {}) as ReplayCommand;
    expect(backfill.pacing).toEqual({ kind: 'backfill' });
    expect(backfill.times).toBe('original');
  });

  it('takes the key and target from the environment', () => {
    const command = parseLoadgenArgs(['simulate', '--transport', 'grpc'], {
      PULSE_LOADGEN_API_KEY: 'env-key',
      PULSE_LOADGEN_TARGET: 'grpc://10.0.0.5:50050',
    }) as SimulateCommand;
    expect(command.apiKey).toBe('env-key');
    expect(command.target).toBe('10.0.0.5:50050');
  });

  it('needs no key to print', () => {
    expect(parseLoadgenArgs(['simulate', '--print', '--backfill', '--duration', '10', '--meta'], {})).toEqual(
      expect.objectContaining({ print: true, meta: true, apiKey: '' }),
    );
  });

  it('answers --help and help', () => {
    expect(parseLoadgenArgs(['--help'], {})).toEqual({ command: 'help' });
    expect(parseLoadgenArgs(['simulate', '-h'], {})).toEqual({ command: 'help' });
    expect(parseLoadgenArgs(['help'], {})).toEqual({ command: 'help' });
    expect(USAGE).toContain('loadgen simulate');
    expect(USAGE).toContain('loadgen replay');
  });

  it.each([
    [[], /simulate or replay/],
    [['launch'], /unknown command "launch"/],
    [['simulate'], /--api-key is required/],
    [['simulate', ...KEY, '--rate', 'fast'], /--rate must be a number > 0 and ≤ 1000000, got "fast"/],
    [['simulate', ...KEY, '--rate', '0'], /--rate must be a number > 0/],
    [['simulate', ...KEY, '--dirty', '1.5'], /--dirty must be a number ≥ 0 and ≤ 1/],
    [['simulate', ...KEY, '--duplicates', '0.7'], /--duplicates must be a number ≥ 0 and ≤ 0.5/],
    [['simulate', ...KEY, '--batch-size', '5000'], /--batch-size must be a number ≥ 1 and ≤ 1000/],
    [['simulate', ...KEY, '--concurrency', '2.5'], /--concurrency must be a whole number/],
    [['simulate', ...KEY, '--backfill'], /--backfill needs --duration/],
    [['simulate', ...KEY, '--meta'], /--meta applies with --print only/],
    [['simulate', ...KEY, '--file', 'x.csv'], /--file applies to replay only/],
    [['simulate', ...KEY, '--bogus'], /Unknown option '--bogus'/],
    [['simulate', ...KEY, '--time-zone', 'Mars/Base'], /--time-zone: unknown time zone "Mars\/Base"/],
    [['simulate', ...KEY, '--transport', 'carrier-pigeon'], /--transport must be http or grpc/],
    [['simulate', ...KEY, '--transport', 'grpc', '--gzip'], /--gzip applies to the http transport only/],
    [['simulate', ...KEY, '--transport', 'grpc', '--trace-every', '5'], /--trace-every applies to the http transport/],
    [['simulate', ...KEY, '--trace-every', '0'], /--trace-every must be a number > 0/],
    [['simulate', ...KEY, '--target', 'ftp://x'], /http\(s\) URL/],
    [['replay', ...KEY], /replay needs --file/],
    [['replay', ...KEY, '--file', 'x', '--rate', '5'], /--rate applies to simulate only/],
    [['replay', ...KEY, '--file', 'x', '--speed', '60', '--backfill'], /--speed or --backfill, not both/],
    [['replay', ...KEY, '--file', 'x', '--live'], /--live needs --speed/],
    [['replay', ...KEY, '--file', 'x', '--speed', '2', '--live', '--end-now'], /--end-now or --live, not both/],
    [['replay', ...KEY, '--file', 'x', '--date-format', 'DD/MM'], /--date-format: .* has no year/],
    [['replay', ...KEY, '--file', 'x', '--currency', 'pounds'], /--currency must be an ISO 4217 code/],
    [['replay', ...KEY, '--file', 'x', '--encoding', 'ebcdic'], /--encoding must be utf8 or latin1/],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseLoadgenArgs(argv, {})).toThrow(UsageError);
    expect(() => parseLoadgenArgs(argv, {})).toThrow(message);
  });
});

describe('normalizeTarget', () => {
  it('adds /v1/events to a bare gateway URL and keeps an explicit path', () => {
    expect(normalizeTarget(undefined, 'http')).toBe('http://127.0.0.1:8080/v1/events');
    expect(normalizeTarget('https://ingest.example.com', 'http')).toBe('https://ingest.example.com/v1/events');
    expect(normalizeTarget('http://gw:8080/v1/events', 'http')).toBe('http://gw:8080/v1/events');
  });

  it('takes host:port for gRPC, with or without a scheme', () => {
    expect(normalizeTarget(undefined, 'grpc')).toBe('127.0.0.1:50050');
    expect(normalizeTarget('grpc://gw:50050', 'grpc')).toBe('gw:50050');
    expect(() => normalizeTarget('gw', 'grpc')).toThrow(/host:port/);
  });
});
