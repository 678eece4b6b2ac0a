import { type proto } from '@pulse/contracts';
import { PROTO_FILES } from '@pulse/grpc';

import { type Client } from '@grpc/grpc-js';

import {
  apiKeyMetadata,
  createServiceClient,
  unary,
  type GrpcClientOptions,
  type UnaryMethod,
} from './grpc-service-client.js';

type GetSeriesRequest = proto.pulse.store.v1.GetSeriesRequest;
type GetSeriesResponse = proto.pulse.store.v1.GetSeriesResponse;

export type MetricsClientOptions = GrpcClientOptions;

/** Typed client of pulse.store.v1.MetricsService for services, the CLI and tests (reads: retried). */
export class MetricsClient {
  private readonly client: Client & { GetSeries: UnaryMethod<GetSeriesRequest, GetSeriesResponse> };
  private readonly deadlineMs: number;

  constructor(private readonly options: MetricsClientOptions) {
    this.client = createServiceClient(
      PROTO_FILES.store,
      'pulse.store.v1.MetricsService',
      options,
      'all',
    ) as MetricsClient['client'];
    this.deadlineMs = options.deadlineMs ?? 5_000;
  }

  getSeries(request: GetSeriesRequest, deadlineMs = this.deadlineMs): Promise<GetSeriesResponse> {
    return unary(this.client.GetSeries.bind(this.client), request, apiKeyMetadata(this.options.apiKey), deadlineMs);
  }

  close(): void {
    this.client.close();
  }
}

export function timestamp(ms: number): { seconds: number; nanos: number } {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

export function millis(value: { seconds: number; nanos: number } | undefined): number {
  return value ? value.seconds * 1000 + Math.floor(value.nanos / 1_000_000) : 0;
}
