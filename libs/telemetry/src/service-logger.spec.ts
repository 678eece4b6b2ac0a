import { ConfigError } from '@pulse/config';

import { Writable } from 'node:stream';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';

import {
  createPino,
  createServiceLogger,
  logSettingsFromEnv,
  PinoLoggerService,
  scrubCredentials,
  type ServiceLogLevel,
} from './service-logger.js';

function capture(level: ServiceLogLevel = 'info') {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: new PinoLoggerService(createPino('cleaner', level, sink)) };
}

describe('logSettingsFromEnv', () => {
  it('defaults to info and JSON, and reads PULSE_LOG_LEVEL and PULSE_LOG_FORMAT', () => {
    expect(logSettingsFromEnv({})).toEqual({ level: 'info', format: 'json' });
    expect(logSettingsFromEnv({ PULSE_LOG_LEVEL: 'DEBUG', PULSE_LOG_FORMAT: 'pretty' })).toEqual({
      level: 'debug',
      format: 'pretty',
    });
  });

  it('refuses an unknown level or format with a ConfigError naming the variable', () => {
    expect(() => logSettingsFromEnv({ PULSE_LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    expect(() => logSettingsFromEnv({ PULSE_LOG_LEVEL: 'loud' })).toThrow(/PULSE_LOG_LEVEL.*got loud/);
    expect(() => logSettingsFromEnv({ PULSE_LOG_FORMAT: 'xml' })).toThrow(/PULSE_LOG_FORMAT/);
  });
});

describe('PinoLoggerService', () => {
  // The SDK only for its context manager: the active span has to follow context.with().
  const sdk = new NodeSDK({
    spanProcessors: [],
    metricReaders: [],
    logRecordProcessors: [],
    autoDetectResources: false,
  });
  beforeAll(() => sdk.start());
  afterAll(async () => {
    await sdk.shutdown();
    context.disable();
  });

  it('writes one JSON object per line with level, time, service, msg and the Nest context', () => {
    const { lines, logger } = capture();
    logger.log('ready: http://127.0.0.1:8081', 'cleaner');
    logger.warn('NATS disconnect', 'JetStreamConnection');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'cleaner',
      context: 'cleaner',
      msg: 'ready: http://127.0.0.1:8081',
    });
    expect(new Date(lines[0].time as string).toISOString()).toBe(lines[0].time);
    expect(lines[1]).toMatchObject({ level: 'warn', context: 'JetStreamConnection' });
  });

  it('adds trace_id and span_id of the active span, and none outside a span', () => {
    const { lines, logger } = capture();
    const spanContext = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
    };
    context.with(trace.setSpan(context.active(), trace.wrapSpanContext(spanContext)), () =>
      logger.log('inside', 'Test'),
    );
    logger.log('outside', 'Test');
    expect(lines[0]).toMatchObject({ trace_id: spanContext.traceId, span_id: spanContext.spanId });
    expect(lines[1]).not.toHaveProperty('trace_id');
  });

  it('maps Nest levels, respects the configured level, and keeps an error stack apart from the message', () => {
    const { lines, logger } = capture('debug');
    logger.verbose('too detailed', 'Test');
    logger.debug('detail', 'Test');
    logger.error('handler failed', 'Error: boom\n    at handle (file.js:1:1)', 'PullConsumer');
    logger.fatal(new TypeError('broken'), 'Test');
    expect(lines.map((l) => l.level)).toEqual(['debug', 'error', 'fatal']);
    expect(lines[1]).toMatchObject({ msg: 'handler failed', context: 'PullConsumer' });
    expect((lines[1].err as { stack: string }).stack).toContain('at handle');
    expect(lines[2]).toMatchObject({ msg: 'broken', err: { type: 'TypeError' } });
  });

  it('redacts credentials and personal fields of logged objects, and passwords in URLs', () => {
    const { lines, logger } = capture();
    logger.log(
      {
        message: 'request',
        apiKey: 'k-123',
        ip: '203.0.113.9',
        event: { user_id: 'u-1', email: 'a@b.c', type: 'purchase' },
      },
      'Test',
    );
    logger.log('connecting to NATS nats://pulse:s3cret@nats-0:4222,nats://nats-1:4222', 'JetStreamConnection');
    const text = JSON.stringify(lines);
    for (const secret of ['k-123', '203.0.113.9', 'u-1', 'a@b.c', 's3cret']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({ msg: 'request', event: { type: 'purchase', user_id: '[redacted]' } });
    expect(lines[1].msg).toBe('connecting to NATS nats://***@nats-0:4222,nats://nats-1:4222');
  });

  it('is what every Nest Logger writes through once installed as the override', () => {
    const { lines, logger } = capture();
    Logger.overrideLogger(logger);
    try {
      new Logger('PartialsConsumer').log('consuming pulse.agg.>');
    } finally {
      Logger.overrideLogger(new ConsoleLogger());
    }
    expect(lines).toEqual([expect.objectContaining({ context: 'PartialsConsumer', msg: 'consuming pulse.agg.>' })]);
  });
});

describe('createServiceLogger', () => {
  it('is pino by default and Nest’s console logger for PULSE_LOG_FORMAT=pretty', () => {
    expect(createServiceLogger('store', { level: 'info', format: 'json' })).toBeInstanceOf(PinoLoggerService);
    expect(createServiceLogger('store', { level: 'warn', format: 'pretty' })).toBeInstanceOf(ConsoleLogger);
  });
});

describe('scrubCredentials', () => {
  it('masks user:password in any URL and leaves other text alone', () => {
    expect(scrubCredentials('cassandra://u:p@host:9042 and http://h/x')).toBe(
      'cassandra://***@host:9042 and http://h/x',
    );
    expect(scrubCredentials('mail me at a@b.c')).toBe('mail me at a@b.c');
  });
});
