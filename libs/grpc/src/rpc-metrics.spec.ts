import { status } from '@grpc/grpc-js';
import { Transport, type GrpcOptions } from '@nestjs/microservices';

import { rpcMetricsInterceptor, rpcServerAttributes, withRpcMetrics } from './rpc-metrics.js';

describe('rpcServerAttributes', () => {
  it('names the system, the fully-qualified method and the status by its name', () => {
    expect(rpcServerAttributes('/pulse.store.v1.MetricsService/GetSeries', status.OK)).toEqual({
      'rpc.system.name': 'grpc',
      'rpc.system': 'grpc',
      'rpc.method': 'pulse.store.v1.MetricsService/GetSeries',
      'rpc.status_code': 'OK',
    });
    expect(rpcServerAttributes('/a.B/C', status.DEADLINE_EXCEEDED)['rpc.status_code']).toBe('DEADLINE_EXCEEDED');
  });
});

describe('withRpcMetrics', () => {
  it('adds the interceptor after the ones already configured, keeping the other channel options', () => {
    const other = () => undefined;
    const options: GrpcOptions = {
      transport: Transport.GRPC,
      options: { package: 'p', protoPath: 'p.proto', channelOptions: { interceptors: [other], 'grpc.x': 1 } as never },
    };
    const channelOptions = withRpcMetrics(options).options.channelOptions as Record<string, unknown>;
    expect(channelOptions.interceptors).toEqual([other, rpcMetricsInterceptor]);
    expect(channelOptions['grpc.x']).toBe(1);
  });
});
