import { ApiKeyRegistry } from '@pulse/config';
import { proto } from '@pulse/contracts';
import { tenantFromMetadata } from '@pulse/grpc';

import { type Metadata, type ServerUnaryCall } from '@grpc/grpc-js';
import { Controller, Inject, Logger } from '@nestjs/common';

import { type ReadOptions } from '../partials/partials.repository.js';
import { QueryBudget } from '../query/query-budget.js';
import { QueryService } from '../query/query.service.js';
import { STORE_CONFIG, type StoreConfig } from '../store.config.js';
import { gapFillOf, granularityOf, millisOf, protoGranularity, timestampOf } from './query-messages.js';
import { queryStatus } from './query-status.js';

type Call = ServerUnaryCall<unknown, unknown>;
type Req<K extends keyof proto.pulse.store.v1.MetricsServiceController> = Parameters<
  proto.pulse.store.v1.MetricsServiceController[K]
>[0];

function callDeadline(call: Call | undefined): number {
  const deadline = call?.getDeadline();
  if (deadline instanceof Date) return deadline.getTime();
  return typeof deadline === 'number' ? deadline : Infinity;
}

/**
 * gRPC adapter of pulse.store.v1.MetricsService: authenticates the key (the tenant comes only
 * from it), turns proto requests into query inputs and results into proto responses, bounds each
 * query by its deadline (and the server's query timeout), stops it when the caller leaves, and
 * maps errors to statuses in one place (query-status.ts).
 */
@Controller()
@proto.pulse.store.v1.MetricsServiceControllerMethods()
export class MetricsController implements proto.pulse.store.v1.MetricsServiceController {
  private readonly logger = new Logger(MetricsController.name);

  constructor(
    private readonly apiKeys: ApiKeyRegistry,
    private readonly queries: QueryService,
    @Inject(STORE_CONFIG) private readonly config: StoreConfig,
  ) {}

  getSeries(
    request: Req<'getSeries'>,
    metadata?: Metadata,
    call?: Call,
  ): Promise<proto.pulse.store.v1.GetSeriesResponse> {
    return this.run(metadata, call, async (tenant, read) => {
      const result = await this.queries.series(
        tenant,
        {
          metric: request.metric ?? '',
          metrics: request.metrics ?? [],
          dimension: request.dimension ?? '',
          ...rangeOf(request),
          gapFill: gapFillOf(request.gapFill),
          timeZone: request.timeZone ?? '',
        },
        read,
      );
      return {
        metric: result.metrics[0] ?? '',
        metrics: result.metrics,
        dimension: result.dimension,
        granularity: protoGranularity(result.granularity),
        timeZone: result.timeZone,
        points: result.points.map((point) => ({
          windowStart: timestampOf(point.start),
          windowEnd: timestampOf(point.end),
          value: point.values[0] ?? 0,
          values: point.values,
          closed: point.closed,
          filled: point.filled,
        })),
      };
    });
  }

  topDimensions(
    request: Req<'topDimensions'>,
    metadata?: Metadata,
    call?: Call,
  ): Promise<proto.pulse.store.v1.TopDimensionsResponse> {
    return this.run(metadata, call, async (tenant, read) => {
      const result = await this.queries.top(
        tenant,
        {
          kind: request.kind ?? '',
          metric: request.metric ?? '',
          ...rangeOf(request),
          k: request.k ?? 0,
          pageToken: request.pageToken ?? '',
        },
        read,
      );
      return {
        kind: result.kind,
        metric: result.metric,
        dimensions: result.items,
        nextPageToken: result.nextPageToken,
        totalDimensions: result.total,
        ...spanOf(result.span),
      };
    });
  }

  breakdown(
    request: Req<'breakdown'>,
    metadata?: Metadata,
    call?: Call,
  ): Promise<proto.pulse.store.v1.BreakdownResponse> {
    return this.run(metadata, call, async (tenant, read) => {
      const result = await this.queries.breakdown(
        tenant,
        {
          kind: request.kind ?? '',
          metrics: request.metrics ?? [],
          ...rangeOf(request),
          pageSize: request.pageSize ?? 0,
          pageToken: request.pageToken ?? '',
        },
        read,
      );
      return {
        kind: result.kind,
        metrics: result.metrics,
        rows: result.items,
        nextPageToken: result.nextPageToken,
        totalDimensions: result.total,
        ...spanOf(result.span),
      };
    });
  }

  funnel(request: Req<'funnel'>, metadata?: Metadata, call?: Call): Promise<proto.pulse.store.v1.FunnelResponse> {
    return this.run(metadata, call, async (tenant, read) => {
      const result = await this.queries.funnel(
        tenant,
        {
          dimension: request.dimension ?? '',
          kind: request.kind ?? '',
          ...rangeOf(request),
          pageSize: request.pageSize ?? 0,
          pageToken: request.pageToken ?? '',
        },
        read,
      );
      return {
        funnels: result.items,
        nextPageToken: result.nextPageToken,
        totalDimensions: result.total,
        ...spanOf(result.span),
      };
    });
  }

  distinct(request: Req<'distinct'>, metadata?: Metadata, call?: Call): Promise<proto.pulse.store.v1.DistinctResponse> {
    return this.run(metadata, call, async (tenant, read) => {
      const result = await this.queries.distinct(
        tenant,
        {
          metrics: request.metrics ?? [],
          dimension: request.dimension ?? '',
          ...rangeOf(request),
        },
        read,
      );
      return {
        dimension: result.dimension,
        counts: result.counts,
        ...spanOf(result.span),
      };
    });
  }

  private async run<T>(
    metadata: Metadata | undefined,
    call: Call | undefined,
    query: (tenant: string, read: ReadOptions) => Promise<T>,
  ): Promise<T> {
    const tenant = tenantFromMetadata(this.apiKeys, metadata, 'query');
    const budget = new QueryBudget(callDeadline(call), this.config.PULSE_STORE_QUERY_TIMEOUT_MS);
    const cancel = () => budget.cancel();
    call?.once('cancelled', cancel);
    if (call?.cancelled) budget.cancel();
    try {
      return await query(tenant, { signal: budget.signal, deadline: budget.deadline });
    } catch (error) {
      throw queryStatus(error, budget.aborted, this.logger);
    } finally {
      budget.dispose();
      call?.off('cancelled', cancel);
    }
  }
}

/** The range fields every query request shares, as the query service takes them. */
function rangeOf(request: {
  granularity?: unknown;
  from?: Parameters<typeof millisOf>[0];
  to?: Parameters<typeof millisOf>[0];
}) {
  return { granularity: granularityOf(request.granularity), from: millisOf(request.from), to: millisOf(request.to) };
}

/** The range a query actually covered, as every response carries it. */
function spanOf(span: { from: number; to: number }) {
  return { from: timestampOf(span.from), to: timestampOf(span.to) };
}
