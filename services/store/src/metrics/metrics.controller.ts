import { ApiKeyRegistry } from '@pulse/config';
import { GRANULARITIES, METRICS, proto, type Granularity, type Metric } from '@pulse/contracts';
import { invalidArgument, tenantFromMetadata } from '@pulse/grpc';

import { status, type Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';

import { PartialsRepository } from '../partials/partials.repository.js';

type GetSeriesRequest = proto.pulse.store.v1.GetSeriesRequest;
type GetSeriesResponse = proto.pulse.store.v1.GetSeriesResponse;
type Timestamp = proto.google.protobuf.Timestamp;

const GRANULARITY_OF: Record<string, Granularity> = {
  GRANULARITY_MINUTE: '1m',
  GRANULARITY_HOUR: '1h',
  GRANULARITY_DAY: '1d',
};
const MAX_POINTS = 50_000;

function toMillis(timestamp: Timestamp | undefined, field: string): number {
  if (!timestamp) throw invalidArgument(field, 'is required');
  return timestamp.seconds * 1000 + Math.floor(timestamp.nanos / 1e6);
}

function toTimestamp(ms: number): Timestamp {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

/** gRPC adapter of pulse.store.v1.MetricsService: validates, resolves the tenant, asks the repository. */
@Controller()
@proto.pulse.store.v1.MetricsServiceControllerMethods()
export class MetricsController implements proto.pulse.store.v1.MetricsServiceController {
  constructor(
    private readonly apiKeys: ApiKeyRegistry,
    private readonly partials: PartialsRepository,
  ) {}

  async getSeries(request: GetSeriesRequest, metadata?: Metadata): Promise<GetSeriesResponse> {
    const tenant = tenantFromMetadata(this.apiKeys, metadata, 'query');
    // Sums are summed over partitions; distinct metrics (unique_users, funnel_*) are the window's
    // distinct count, the union of the partitions' sketches.
    if (!(METRICS as readonly string[]).includes(request.metric)) {
      throw invalidArgument('metric', `unknown metric ${JSON.stringify(request.metric)}; one of ${METRICS.join(', ')}`);
    }
    const granularity = GRANULARITY_OF[request.granularity];
    if (!granularity)
      throw invalidArgument('granularity', 'must be GRANULARITY_MINUTE, GRANULARITY_HOUR or GRANULARITY_DAY');
    const from = toMillis(request.from, 'from');
    const to = toMillis(request.to, 'to');
    if (to <= from) throw invalidArgument('to', 'must be after from');
    if ((to - from) / GRANULARITIES[granularity] > MAX_POINTS) {
      throw invalidArgument('to', `range holds more than ${MAX_POINTS} windows at this granularity; narrow it`);
    }
    const dimension = request.dimension || 'all';
    let points;
    try {
      points = await this.partials.series(tenant, granularity, dimension, request.metric as Metric, from, to);
    } catch (error) {
      throw new RpcException({
        code: status.UNAVAILABLE,
        message: `metrics store unavailable: ${(error as Error).message}`,
      });
    }
    return {
      metric: request.metric,
      dimension,
      granularity: request.granularity,
      points: points.map((point) => ({ windowStart: toTimestamp(point.windowStart), value: point.value })),
    };
  }
}
