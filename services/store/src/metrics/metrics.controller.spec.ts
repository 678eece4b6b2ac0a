import { ApiKeyRegistry } from '@pulse/config';

import { createHash } from 'node:crypto';
import { Metadata, status } from '@grpc/grpc-js';
import { jest } from '@jest/globals';
import { RpcException } from '@nestjs/microservices';

import { type PartialsRepository } from '../partials/partials.repository.js';
import { MetricsController } from './metrics.controller.js';

const key = 'k-demo';
const registry = new ApiKeyRegistry([{ tenant: 'demo', sha256: createHash('sha256').update(key).digest('hex') }]);
const from = Date.UTC(2026, 10, 24, 10, 0);
const request = (metric: string) => ({
  metric,
  dimension: 'product:SKU-1',
  granularity: 'GRANULARITY_MINUTE',
  from: { seconds: from / 1000, nanos: 0 },
  to: { seconds: from / 1000 + 120, nanos: 0 },
});

function controllerWith(series: PartialsRepository['series']) {
  const metadata = new Metadata();
  metadata.set('x-api-key', key);
  return { controller: new MetricsController(registry, { series } as unknown as PartialsRepository), metadata };
}

describe('MetricsController.getSeries', () => {
  it('answers a sketch metric with the per-window distinct counts, for the key’s tenant', async () => {
    const series = jest.fn<PartialsRepository['series']>().mockResolvedValue([{ windowStart: from, value: 42 }]);
    const { controller, metadata } = controllerWith(series);
    const response = await controller.getSeries(request('unique_users') as never, metadata);
    expect(series).toHaveBeenCalledWith('demo', '1m', 'product:SKU-1', 'unique_users', from, from + 120_000);
    expect(response.points).toEqual([{ windowStart: { seconds: from / 1000, nanos: 0 }, value: 42 }]);
  });

  it('refuses an unknown metric with INVALID_ARGUMENT listing the known ones', async () => {
    const { controller, metadata } = controllerWith(jest.fn<PartialsRepository['series']>());
    const error = await controller.getSeries(request('bogus') as never, metadata).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcException);
    expect((error as RpcException).getError()).toMatchObject({
      code: status.INVALID_ARGUMENT,
      message: expect.stringContaining('funnel_purchased'),
    });
  });
});
