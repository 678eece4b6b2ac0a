import { type proto } from '@pulse/contracts';
import { PROTO_FILES } from '@pulse/grpc';

import { type Client, type ClientReadableStream, type Metadata } from '@grpc/grpc-js';

import { reconnectingAlerts, type AlertWatch, type WatchAlertsOptions } from './alert-watch.js';
import {
  apiKeyMetadata,
  createServiceClient,
  unary,
  type GrpcClientOptions,
  type UnaryMethod,
} from './grpc-service-client.js';
import { pages } from './paging.js';
import { toTimestamp, type TimeInput } from './timestamps.js';

type ForecastRequest = proto.pulse.forecast.v1.ForecastRequest;
type ForecastResponse = proto.pulse.forecast.v1.ForecastResponse;
type BacktestRequest = proto.pulse.forecast.v1.BacktestRequest;
type BacktestResponse = proto.pulse.forecast.v1.BacktestResponse;
type ListAlertsRequest = proto.pulse.forecast.v1.ListAlertsRequest;
type ListAlertsResponse = proto.pulse.forecast.v1.ListAlertsResponse;
type WatchAlertsRequest = proto.pulse.forecast.v1.WatchAlertsRequest;
type WatchAlertsResponse = proto.pulse.forecast.v1.WatchAlertsResponse;

export type ForecastClientOptions = GrpcClientOptions;
/** Every field optional (proto defaults) except the metric. */
export type ForecastQuery = Partial<ForecastRequest> & Pick<ForecastRequest, 'metric'>;
export type BacktestQuery = Partial<BacktestRequest> & Pick<BacktestRequest, 'metric'>;
export type ListAlertsQuery = Omit<Partial<ListAlertsRequest>, 'since'> & { since?: TimeInput };

type Methods = {
  Forecast: UnaryMethod<ForecastRequest, ForecastResponse>;
  Backtest: UnaryMethod<BacktestRequest, BacktestResponse>;
  ListAlerts: UnaryMethod<ListAlertsRequest, ListAlertsResponse>;
  WatchAlerts: (request: WatchAlertsRequest, metadata: Metadata) => ClientReadableStream<WatchAlertsResponse>;
};

/**
 * Typed client of pulse.forecast.v1.ForecastService. Forecast, Backtest and ListAlerts are reads:
 * UNAVAILABLE is retried (up to 4 attempts, 0.1–1 s backoff, inside the deadline) and every call
 * has a deadline (`deadlineMs`, 10 s by default; a default Backtest of all four models on 1h takes
 * seconds). WatchAlerts has no deadline: it runs until cancelled, reconnecting when the service
 * goes away (see watchAlerts).
 */
export class ForecastClient {
  private readonly client: Client & Methods;
  private readonly deadlineMs: number;

  constructor(private readonly options: ForecastClientOptions) {
    this.client = createServiceClient(
      PROTO_FILES.forecast,
      'pulse.forecast.v1.ForecastService',
      options,
      'all',
    ) as ForecastClient['client'];
    this.deadlineMs = options.deadlineMs ?? 10_000;
  }

  /** The next `horizon` windows of a series with prediction intervals, the model and its scores. */
  forecast(query: ForecastQuery, deadlineMs = this.deadlineMs): Promise<ForecastResponse> {
    return this.call('Forecast', query as ForecastRequest, deadlineMs);
  }

  /** Rolling-origin evaluation of the models on the end of a series' history. */
  backtest(query: BacktestQuery, deadlineMs = this.deadlineMs): Promise<BacktestResponse> {
    return this.call('Backtest', query as BacktestRequest, deadlineMs);
  }

  /** One page of the tenant's retained alerts (raised at or after `since`), oldest first. */
  listAlerts(query: ListAlertsQuery = {}, deadlineMs = this.deadlineMs): Promise<ListAlertsResponse> {
    return this.call('ListAlerts', { ...query, since: toTimestamp(query.since) } as ListAlertsRequest, deadlineMs);
  }

  /** Every page of ListAlerts, following next_page_token (each page its own deadline). */
  listAlertsPages(query: ListAlertsQuery = {}, deadlineMs = this.deadlineMs): AsyncGenerator<ListAlertsResponse> {
    return pages((pageToken) => this.listAlerts({ ...query, pageToken }, deadlineMs), query.pageToken);
  }

  /**
   * The tenant's alerts as they are raised (after replaying those since `options.since`), as an
   * async iterable to be iterated once. It ends when `options.signal` aborts, `cancel()` is called
   * or the loop breaks — quietly, the call cancelled on the server. When the call fails with
   * UNAVAILABLE (the service restarted, the connection dropped) it reconnects with backoff and
   * replays from where it was, skipping what it already delivered (by stream sequence), unless
   * `reconnect: false`; other errors (UNAUTHENTICATED, INVALID_ARGUMENT, ...) end the iteration
   * by throwing.
   */
  watchAlerts(options: WatchAlertsOptions = {}): AlertWatch {
    const controller = new AbortController();
    const outer = options.signal;
    if (outer?.aborted) controller.abort();
    else outer?.addEventListener('abort', () => controller.abort(), { once: true });
    const open = (since: proto.google.protobuf.Timestamp | undefined) =>
      this.client.WatchAlerts({ since } as WatchAlertsRequest, apiKeyMetadata(this.options.apiKey));
    let iterating = false;
    return {
      cancel: () => controller.abort(),
      [Symbol.asyncIterator]: () => {
        if (iterating) throw new Error('an AlertWatch can be iterated only once');
        iterating = true;
        return reconnectingAlerts(open, { ...options, signal: controller.signal });
      },
    };
  }

  close(): void {
    this.client.close();
  }

  private call<K extends Exclude<keyof Methods, 'WatchAlerts'>>(
    method: K,
    request: Parameters<Methods[K]>[0],
    deadlineMs: number,
  ): Promise<Parameters<Parameters<Methods[K]>[3]>[1]> {
    const bound = (this.client[method] as UnaryMethod<unknown, unknown>).bind(this.client);
    return unary(bound, request, apiKeyMetadata(this.options.apiKey), deadlineMs) as Promise<
      Parameters<Parameters<Methods[K]>[3]>[1]
    >;
  }
}
