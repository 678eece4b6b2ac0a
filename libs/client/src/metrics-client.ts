import { type proto } from '@pulse/contracts';
import { LOADER_OPTIONS, PROTO_FILES, protoDir } from '@pulse/grpc';

import {
  ChannelCredentials,
  credentials,
  loadPackageDefinition,
  Metadata,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

type GetSeriesRequest = proto.pulse.store.v1.GetSeriesRequest;
type GetSeriesResponse = proto.pulse.store.v1.GetSeriesResponse;

export interface MetricsClientOptions {
  /** host:port of the store's gRPC server. */
  address: string;
  apiKey: string;
  /** Deadline applied to every call unless the call gives its own. */
  deadlineMs?: number;
  channelCredentials?: ChannelCredentials;
}

/**
 * Retries for idempotent reads are gRPC's own (service config retryPolicy): UNAVAILABLE and
 * DEADLINE_EXCEEDED-free transient failures are retried with backoff inside the call's deadline.
 */
const SERVICE_CONFIG = JSON.stringify({
  methodConfig: [
    {
      name: [{ service: 'pulse.store.v1.MetricsService' }],
      retryPolicy: {
        maxAttempts: 4,
        initialBackoff: '0.1s',
        maxBackoff: '1s',
        backoffMultiplier: 2,
        retryableStatusCodes: ['UNAVAILABLE'],
      },
    },
  ],
});

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: { deadline: Date },
  callback: (error: ServiceError | null, response: Res) => void,
) => void;

/** Typed client of pulse.store.v1.MetricsService for services, the CLI and tests. */
export class MetricsClient {
  private readonly client: Client & { GetSeries: UnaryMethod<GetSeriesRequest, GetSeriesResponse> };
  private readonly deadlineMs: number;

  constructor(private readonly options: MetricsClientOptions) {
    const definition = loadSync(PROTO_FILES.store, { ...LOADER_OPTIONS, includeDirs: [protoDir()] });
    const loaded = loadPackageDefinition(definition) as unknown as {
      pulse: {
        store: { v1: { MetricsService: new (address: string, creds: ChannelCredentials, options: object) => Client } };
      };
    };
    const Service = loaded.pulse.store.v1.MetricsService;
    this.client = new Service(options.address, options.channelCredentials ?? credentials.createInsecure(), {
      'grpc.service_config': SERVICE_CONFIG,
      'grpc.enable_retries': 1,
      'grpc.keepalive_time_ms': 30_000,
    }) as MetricsClient['client'];
    this.deadlineMs = options.deadlineMs ?? 5_000;
  }

  getSeries(request: GetSeriesRequest, deadlineMs = this.deadlineMs): Promise<GetSeriesResponse> {
    return new Promise((resolve, reject) => {
      this.client.GetSeries(
        request,
        this.metadata(),
        { deadline: new Date(Date.now() + deadlineMs) },
        (error, response) => {
          if (error) reject(error);
          else resolve(response);
        },
      );
    });
  }

  close(): void {
    this.client.close();
  }

  private metadata(): Metadata {
    const metadata = new Metadata();
    metadata.set('x-api-key', this.options.apiKey);
    return metadata;
  }
}

export function timestamp(ms: number): { seconds: number; nanos: number } {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

export function millis(value: { seconds: number; nanos: number } | undefined): number {
  return value ? value.seconds * 1000 + Math.floor(value.nanos / 1_000_000) : 0;
}
