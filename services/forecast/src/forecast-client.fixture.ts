import { apiKeyMetadata, createServiceClient, unary, type UnaryMethod } from '@pulse/client';
import { type proto } from '@pulse/contracts';
import { PROTO_FILES } from '@pulse/grpc';

import { type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';

type Methods = {
  Forecast: UnaryMethod<Partial<proto.pulse.forecast.v1.ForecastRequest>, proto.pulse.forecast.v1.ForecastResponse>;
  Backtest: UnaryMethod<Partial<proto.pulse.forecast.v1.BacktestRequest>, proto.pulse.forecast.v1.BacktestResponse>;
  ListAlerts: UnaryMethod<
    Partial<proto.pulse.forecast.v1.ListAlertsRequest>,
    proto.pulse.forecast.v1.ListAlertsResponse
  >;
  WatchAlerts: (
    request: Partial<proto.pulse.forecast.v1.WatchAlertsRequest>,
    metadata: ReturnType<typeof apiKeyMetadata>,
    options: { deadline?: Date },
  ) => ClientReadableStream<proto.pulse.forecast.v1.WatchAlertsResponse>;
};

/** An open WatchAlerts call: the alerts received so far, and how it ended. */
export interface AlertWatch {
  readonly alerts: Array<proto.pulse.forecast.v1.Alert>;
  /** Resolves with the status code the call ended with (1 = CANCELLED after cancel()). */
  readonly ended: Promise<number>;
  /** Waits until `count` alerts arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<Array<proto.pulse.forecast.v1.Alert>>;
  cancel(): void;
}

/**
 * Every RPC of pulse.forecast.v1.ForecastService for the service's own tests (libs/client's
 * ForecastClient has Forecast only so far; this one is meant to move there). Test-only.
 */
export class ForecastTestClient {
  private readonly client: Client & Methods;

  constructor(
    address: string,
    private readonly apiKey: string,
  ) {
    this.client = createServiceClient(
      PROTO_FILES.forecast,
      'pulse.forecast.v1.ForecastService',
      { address, apiKey },
      'none',
    ) as Client & Methods;
  }

  forecast(
    request: Partial<proto.pulse.forecast.v1.ForecastRequest>,
    deadlineMs = 30_000,
  ): Promise<proto.pulse.forecast.v1.ForecastResponse> {
    return unary(this.client.Forecast.bind(this.client), request, apiKeyMetadata(this.apiKey), deadlineMs);
  }

  backtest(
    request: Partial<proto.pulse.forecast.v1.BacktestRequest>,
    deadlineMs = 60_000,
  ): Promise<proto.pulse.forecast.v1.BacktestResponse> {
    return unary(this.client.Backtest.bind(this.client), request, apiKeyMetadata(this.apiKey), deadlineMs);
  }

  listAlerts(
    request: Partial<proto.pulse.forecast.v1.ListAlertsRequest> = {},
    deadlineMs = 10_000,
  ): Promise<proto.pulse.forecast.v1.ListAlertsResponse> {
    return unary(this.client.ListAlerts.bind(this.client), request, apiKeyMetadata(this.apiKey), deadlineMs);
  }

  watchAlerts(request: Partial<proto.pulse.forecast.v1.WatchAlertsRequest> = {}): AlertWatch {
    const stream = this.client.WatchAlerts(request, apiKeyMetadata(this.apiKey), {});
    const alerts: Array<proto.pulse.forecast.v1.Alert> = [];
    const waiters = new Set<() => void>();
    stream.on('data', (response: proto.pulse.forecast.v1.WatchAlertsResponse) => {
      if (response.alert) alerts.push(response.alert);
      for (const wake of waiters) wake();
    });
    const ended = new Promise<number>((resolve) => {
      stream.on('error', (error: ServiceError) => resolve(error.code));
      stream.on('end', () => resolve(0));
    });
    return {
      alerts,
      ended,
      cancel: () => stream.cancel(),
      waitFor: (count, timeoutMs = 10_000) =>
        new Promise((resolve, reject) => {
          const check = () => {
            if (alerts.length >= count) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve([...alerts]);
            }
          };
          const timer = setTimeout(() => {
            waiters.delete(check);
            reject(new Error(`${alerts.length} of ${count} alerts arrived in ${timeoutMs} ms`));
          }, timeoutMs);
          waiters.add(check);
          check();
        }),
    };
  }

  close(): void {
    this.client.close();
  }
}
