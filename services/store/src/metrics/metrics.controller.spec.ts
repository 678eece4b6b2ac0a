import { fieldViolations } from '@pulse/client';
import { ApiKeyRegistry } from '@pulse/config';
import { proto } from '@pulse/contracts';

import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Metadata, status, type ServerUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { jest } from '@jest/globals';
import { RpcException } from '@nestjs/microservices';
import cassandra from 'cassandra-driver';

import { type PartialsRepository, type ReadOptions } from '../partials/partials.repository.js';
import { QueryService } from '../query/query.service.js';
import { storeTestConfig } from '../store-config.fixture.js';
import { MetricsController } from './metrics.controller.js';

const { Granularity, GapFill } = proto.pulse.store.v1;
const key = 'k-demo';
const registry = new ApiKeyRegistry([{ tenant: 'demo', sha256: createHash('sha256').update(key).digest('hex') }]);
const from = Date.UTC(2026, 10, 24, 10, 0);
const ts = (ms: number) => ({ seconds: ms / 1000, nanos: 0 });
const request = (metric: string) => ({
  metric,
  metrics: [],
  dimension: 'product:SKU-1',
  granularity: Granularity.GRANULARITY_MINUTE,
  from: ts(from),
  to: ts(from + 180_000),
  gapFill: GapFill.GAP_FILL_UNSPECIFIED,
  timeZone: '',
});

function controllerWith(repository: Partial<PartialsRepository>, overrides = {}) {
  const config = storeTestConfig('unused', overrides);
  const metadata = new Metadata();
  metadata.set('x-api-key', key);
  const controller = new MetricsController(
    registry,
    new QueryService(repository as PartialsRepository, config),
    config,
  );
  return { controller, metadata };
}

/** What a client would see: the status Nest sends for the exception. */
function statusOf(error: unknown): ServiceError {
  expect(error).toBeInstanceOf(RpcException);
  const { code, message, metadata } = (error as RpcException).getError() as {
    code: number;
    message: string;
    metadata?: Metadata;
  };
  return Object.assign(new Error(message), { code, details: message, metadata: metadata ?? new Metadata() });
}

const windowAt = (windowStart: number, events: number, closed: boolean) => ({
  windowStart,
  metrics: { events },
  closed,
  partials: 2,
  topPartition: 1,
  expiresAt: Number.POSITIVE_INFINITY,
});

describe('MetricsController', () => {
  it('answers GetSeries for the key’s tenant with values, window ends and closed flags', async () => {
    const windowSums = jest
      .fn<PartialsRepository['windowSums']>()
      .mockResolvedValue([windowAt(from, 4, true), windowAt(from + 120_000, 2, false)]);
    const { controller, metadata } = controllerWith({ windowSums });
    const response = await controller.getSeries({ ...request('events'), gapFill: GapFill.GAP_FILL_ZERO }, metadata);
    expect(windowSums).toHaveBeenCalledWith(
      'demo',
      '1m',
      'product:SKU-1',
      ['events'],
      from,
      from + 180_000,
      expect.objectContaining({ signal: expect.any(AbortSignal) }),
    );
    expect(response).toMatchObject({
      metric: 'events',
      metrics: ['events'],
      dimension: 'product:SKU-1',
      granularity: Granularity.GRANULARITY_MINUTE,
      timeZone: 'UTC',
    });
    expect(response.points).toEqual([
      { windowStart: ts(from), windowEnd: ts(from + 60_000), value: 4, values: [4], closed: true, filled: false },
      {
        windowStart: ts(from + 60_000),
        windowEnd: ts(from + 120_000),
        value: 0,
        values: [0],
        closed: false,
        filled: true,
      },
      {
        windowStart: ts(from + 120_000),
        windowEnd: ts(from + 180_000),
        value: 2,
        values: [2],
        closed: false,
        filled: false,
      },
    ]);
  });

  it('refuses an unknown metric with INVALID_ARGUMENT and a BadRequest field violation', async () => {
    const { controller, metadata } = controllerWith({ windowSums: jest.fn<PartialsRepository['windowSums']>() });
    const error = statusOf(await controller.getSeries(request('bogus'), metadata).catch((e: unknown) => e));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.message).toMatch(/^metric: unknown metric "bogus"; one of events, .*funnel_purchased$/);
    expect(fieldViolations(error)).toEqual([{ field: 'metric', description: error.message.slice('metric: '.length) }]);
  });

  it('answers UNAUTHENTICATED without a key and reads nothing', async () => {
    const windowSums = jest.fn<PartialsRepository['windowSums']>();
    const { controller } = controllerWith({ windowSums });
    const error = await Promise.resolve()
      .then(() => controller.getSeries(request('events'), new Metadata()))
      .catch((e: unknown) => e);
    expect(statusOf(error).code).toBe(status.UNAUTHENTICATED);
    expect(windowSums).not.toHaveBeenCalled();
  });

  it('maps Cassandra being unreachable to UNAVAILABLE, and anything else to INTERNAL without details', async () => {
    const down = new cassandra.errors.NoHostAvailableError({ '127.0.0.1:9042': new Error('ECONNREFUSED') });
    const { controller, metadata } = controllerWith({
      windowSums: jest.fn<PartialsRepository['windowSums']>().mockRejectedValue(down),
    });
    jest.spyOn((controller as unknown as { logger: { warn(m: string): void } }).logger, 'warn').mockReturnValue();
    const error = statusOf(await controller.getSeries(request('events'), metadata).catch((e: unknown) => e));
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(error.message).toBe(
      'metrics store unavailable: Cassandra did not answer (NoHostAvailableError); retry later',
    );

    const broken = controllerWith({
      spanTotals: jest.fn<PartialsRepository['spanTotals']>().mockRejectedValue(new Error('cannot merge row x')),
    });
    jest
      .spyOn((broken.controller as unknown as { logger: { error(m: string): void } }).logger, 'error')
      .mockReturnValue();
    const internal = statusOf(
      await broken.controller
        .distinct(
          { metrics: [], dimension: '', granularity: Granularity.GRANULARITY_DAY, from: ts(from), to: ts(from + 1) },
          broken.metadata,
        )
        .catch((e: unknown) => e),
    );
    expect(internal.code).toBe(status.INTERNAL);
    expect(internal.message).not.toContain('cannot merge');
  });

  /** A repository read that lasts until its signal aborts (a slow Cassandra). */
  const endless = (seen: ReadOptions[]) =>
    jest.fn<PartialsRepository['windowSums']>().mockImplementation((...args) => {
      const options = args[6] as ReadOptions;
      seen.push(options);
      return new Promise((_, reject) =>
        options.signal?.addEventListener('abort', () => reject(options.signal?.reason as Error)),
      );
    });

  it('stops a query at the server’s query timeout with DEADLINE_EXCEEDED', async () => {
    const seen: ReadOptions[] = [];
    const { controller, metadata } = controllerWith(
      { windowSums: endless(seen) },
      { PULSE_STORE_QUERY_TIMEOUT_MS: 100 },
    );
    const started = Date.now();
    const error = statusOf(await controller.getSeries(request('events'), metadata).catch((e: unknown) => e));
    expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(seen[0]!.deadline).toBeLessThanOrEqual(started + 100 + 5);
  });

  it('bounds a query by the call’s deadline and aborts it when the caller cancels', async () => {
    const seen: ReadOptions[] = [];
    const { controller, metadata } = controllerWith({ windowSums: endless(seen) });
    const call = Object.assign(new EventEmitter(), {
      cancelled: false,
      getDeadline: () => new Date(Date.now() + 5_000),
    }) as unknown as ServerUnaryCall<unknown, unknown>;
    const pending = controller.getSeries(request('events'), metadata, call).catch((e: unknown) => e);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen[0]!.deadline).toBeGreaterThan(Date.now() + 4_000);
    call.emit('cancelled', 'cancelled');
    expect(statusOf(await pending).code).toBe(status.CANCELLED);
    expect(seen[0]!.signal?.aborted).toBe(true);
  });
});
