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
import { pages } from './paging.js';
import { toTimestamp, type TimeInput } from './timestamps.js';

type GetSeriesRequest = proto.pulse.store.v1.GetSeriesRequest;
type GetSeriesResponse = proto.pulse.store.v1.GetSeriesResponse;
type TopDimensionsRequest = proto.pulse.store.v1.TopDimensionsRequest;
type TopDimensionsResponse = proto.pulse.store.v1.TopDimensionsResponse;
type BreakdownRequest = proto.pulse.store.v1.BreakdownRequest;
type BreakdownResponse = proto.pulse.store.v1.BreakdownResponse;
type FunnelRequest = proto.pulse.store.v1.FunnelRequest;
type FunnelResponse = proto.pulse.store.v1.FunnelResponse;
type DistinctRequest = proto.pulse.store.v1.DistinctRequest;
type DistinctResponse = proto.pulse.store.v1.DistinctResponse;

export type MetricsClientOptions = GrpcClientOptions;

/** A request with every field optional (proto defaults) except `required`, times in any TimeInput. */
type QueryOf<Req, Required extends keyof Req = never> = Omit<Partial<Req>, 'from' | 'to' | Required> &
  Pick<Req, Required> & { from?: TimeInput; to?: TimeInput };

export type SeriesQuery = QueryOf<GetSeriesRequest, 'granularity'>;
export type TopDimensionsQuery = QueryOf<TopDimensionsRequest, 'kind' | 'metric'>;
export type BreakdownQuery = QueryOf<BreakdownRequest, 'kind'>;
export type FunnelQuery = QueryOf<FunnelRequest>;
export type DistinctQuery = QueryOf<DistinctRequest>;

function withTimes<T extends { from?: TimeInput; to?: TimeInput }>(
  query: T,
): Omit<T, 'from' | 'to'> & { from?: proto.google.protobuf.Timestamp; to?: proto.google.protobuf.Timestamp } {
  return { ...query, from: toTimestamp(query.from), to: toTimestamp(query.to) };
}

type Methods = {
  GetSeries: UnaryMethod<GetSeriesRequest, GetSeriesResponse>;
  TopDimensions: UnaryMethod<TopDimensionsRequest, TopDimensionsResponse>;
  Breakdown: UnaryMethod<BreakdownRequest, BreakdownResponse>;
  Funnel: UnaryMethod<FunnelRequest, FunnelResponse>;
  Distinct: UnaryMethod<DistinctRequest, DistinctResponse>;
};

/**
 * Typed client of pulse.store.v1.MetricsService for services, the CLI and tests. Every method is
 * a read, so UNAVAILABLE is retried (up to 4 attempts, 0.1–1 s exponential backoff, inside the
 * deadline); every call has a deadline (`deadlineMs`, 5 s by default). Errors are grpc-js
 * ServiceErrors; `fieldViolations(error)` reads the field a rejected request got wrong.
 */
export class MetricsClient {
  private readonly client: Client & Methods;
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

  /** One or several metrics of one dimension per window over [from, to). */
  getSeries(query: SeriesQuery, deadlineMs = this.deadlineMs): Promise<GetSeriesResponse> {
    return this.call('GetSeries', withTimes(query) as GetSeriesRequest, deadlineMs);
  }

  /** The k (default 10) dimensions of a kind with the largest value of a metric; one page. */
  topDimensions(query: TopDimensionsQuery, deadlineMs = this.deadlineMs): Promise<TopDimensionsResponse> {
    return this.call('TopDimensions', withTimes(query) as TopDimensionsRequest, deadlineMs);
  }

  /** Every dimension of a kind with its metrics, by name; one page. */
  breakdown(query: BreakdownQuery, deadlineMs = this.deadlineMs): Promise<BreakdownResponse> {
    return this.call('Breakdown', withTimes(query) as BreakdownRequest, deadlineMs);
  }

  /** The session funnel of a dimension (default `all`), or of each dimension of `kind` (paged). */
  funnel(query: FunnelQuery, deadlineMs = this.deadlineMs): Promise<FunnelResponse> {
    return this.call('Funnel', withTimes(query) as FunnelRequest, deadlineMs);
  }

  /** Distinct users / sessions over the whole range. */
  distinct(query: DistinctQuery, deadlineMs = this.deadlineMs): Promise<DistinctResponse> {
    return this.call('Distinct', withTimes(query) as DistinctRequest, deadlineMs);
  }

  /** Every page of a top-N query, following next_page_token (each page its own deadline). */
  topDimensionsPages(query: TopDimensionsQuery, deadlineMs = this.deadlineMs): AsyncGenerator<TopDimensionsResponse> {
    return pages((pageToken) => this.topDimensions({ ...query, pageToken }, deadlineMs), query.pageToken);
  }

  /** Every page of a breakdown. */
  breakdownPages(query: BreakdownQuery, deadlineMs = this.deadlineMs): AsyncGenerator<BreakdownResponse> {
    return pages((pageToken) => this.breakdown({ ...query, pageToken }, deadlineMs), query.pageToken);
  }

  /** Every page of a per-dimension funnel query. */
  funnelPages(query: FunnelQuery, deadlineMs = this.deadlineMs): AsyncGenerator<FunnelResponse> {
    return pages((pageToken) => this.funnel({ ...query, pageToken }, deadlineMs), query.pageToken);
  }

  close(): void {
    this.client.close();
  }

  private call<K extends keyof Methods>(
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
