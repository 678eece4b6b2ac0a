import { serviceMeter } from '@pulse/telemetry';

import { ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import { type GrpcOptions } from '@nestjs/microservices';
import { type Attributes, type Histogram } from '@opentelemetry/api';

/** A unary query takes ms to seconds; a WatchAlerts stream lasts as long as its client stays. */
const RPC_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600];

/**
 * Attributes of one call by the RPC semantic conventions (semantic-conventions 1.45: stable
 * `rpc.system.name`, fully-qualified `rpc.method`, `rpc.status_code` as the status's name).
 * `rpc.system` is kept beside `rpc.system.name` for dashboards of the older conventions.
 */
export function rpcServerAttributes(path: string, code: number): Attributes {
  return {
    'rpc.system.name': 'grpc',
    'rpc.system': 'grpc',
    'rpc.method': path.startsWith('/') ? path.slice(1) : path,
    'rpc.status_code': status[code] ?? String(code),
  };
}

/** grpc.health.v1 (probes, every few seconds) and server reflection (tooling) are not counted. */
function counted(path: string): boolean {
  return !path.startsWith('/grpc.');
}

let duration: Histogram | undefined;

/**
 * A grpc-js server interceptor that records `rpc.server.call.duration` (s) once per call, when its
 * status is sent — errors included, and for a stream (WatchAlerts) when it ends — or when the client
 * cancelled it (CANCELLED).
 */
export const rpcMetricsInterceptor: ServerInterceptor = (descriptor, call) => {
  if (!counted(descriptor.path)) return new ServerInterceptingCall(call);
  const started = performance.now();
  let recorded = false;
  const record = (code: number) => {
    if (recorded) return;
    recorded = true;
    duration ??= serviceMeter().createHistogram('rpc.server.call.duration', {
      description: 'Duration of incoming gRPC calls, until the status was sent.',
      unit: 's',
      advice: { explicitBucketBoundaries: RPC_BUCKETS_S },
    });
    duration.record((performance.now() - started) / 1_000, rpcServerAttributes(descriptor.path, code));
  };
  return new ServerInterceptingCall(call, {
    start: (next) => next({ onCancel: () => record(status.CANCELLED) }),
    sendStatus: (sent, next) => {
      record(sent.code);
      next(sent);
    },
  });
};

/** The transport options with rpcMetricsInterceptor added to the gRPC server's interceptors. */
export function withRpcMetrics(options: GrpcOptions): GrpcOptions {
  const channelOptions = (options.options.channelOptions ?? {}) as { interceptors?: ServerInterceptor[] };
  return {
    ...options,
    options: {
      ...options.options,
      channelOptions: {
        ...channelOptions,
        interceptors: [...(channelOptions.interceptors ?? []), rpcMetricsInterceptor],
      },
    },
  };
}
