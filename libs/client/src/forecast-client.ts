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

type ForecastRequest = proto.pulse.forecast.v1.ForecastRequest;
type ForecastResponse = proto.pulse.forecast.v1.ForecastResponse;

export type ForecastQuery = Partial<ForecastRequest> & Pick<ForecastRequest, 'metric'>;

/** Typed client of pulse.forecast.v1.ForecastService (a read: UNAVAILABLE is retried). */
export class ForecastClient {
  private readonly client: Client & { Forecast: UnaryMethod<ForecastRequest, ForecastResponse> };
  private readonly deadlineMs: number;

  constructor(private readonly options: GrpcClientOptions) {
    this.client = createServiceClient(
      PROTO_FILES.forecast,
      'pulse.forecast.v1.ForecastService',
      options,
      'all',
    ) as ForecastClient['client'];
    this.deadlineMs = options.deadlineMs ?? 10_000;
  }

  forecast(query: ForecastQuery, deadlineMs = this.deadlineMs): Promise<ForecastResponse> {
    return unary(
      this.client.Forecast.bind(this.client),
      query as ForecastRequest,
      apiKeyMetadata(this.options.apiKey),
      deadlineMs,
    );
  }

  close(): void {
    this.client.close();
  }
}
