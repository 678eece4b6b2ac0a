import { type proto } from '@pulse/contracts';
import { PROTO_FILES } from '@pulse/grpc';

import { type Client, type ClientWritableStream, type Metadata, type ServiceError } from '@grpc/grpc-js';

import {
  apiKeyMetadata,
  createServiceClient,
  unary,
  type GrpcClientOptions,
  type UnaryMethod,
} from './grpc-service-client.js';

type Event = proto.pulse.ingest.v1.Event;
type IngestRequest = proto.pulse.ingest.v1.IngestRequest;
type IngestResponse = proto.pulse.ingest.v1.IngestResponse;

type StreamMethod = (
  metadata: Metadata,
  options: { deadline: Date },
  callback: (error: ServiceError | null, response: IngestResponse) => void,
) => ClientWritableStream<IngestRequest>;

/** An event in the proto shape; absent fields may be left out (they default to ""). */
export type IngestEvent = Partial<Event> & Pick<Event, 'eventId' | 'type' | 'occurredAt'>;

function complete(event: IngestEvent): Event {
  return {
    userId: '',
    sessionId: '',
    productId: '',
    category: '',
    quantity: '',
    price: '',
    currency: '',
    orderId: '',
    country: '',
    channel: '',
    email: '',
    ip: '',
    userAgent: '',
    attributes: {},
    ...event,
  };
}

/**
 * Typed client of pulse.ingest.v1.IngestService. Ingest calls are safe to retry — event ids
 * deduplicate — so the client retries UNAVAILABLE itself.
 */
export class IngestClient {
  private readonly client: Client & { Ingest: UnaryMethod<IngestRequest, IngestResponse>; IngestStream: StreamMethod };
  private readonly deadlineMs: number;

  constructor(private readonly options: GrpcClientOptions) {
    this.client = createServiceClient(
      PROTO_FILES.ingest,
      'pulse.ingest.v1.IngestService',
      options,
      'all',
    ) as IngestClient['client'];
    this.deadlineMs = options.deadlineMs ?? 10_000;
  }

  ingest(events: IngestEvent[], deadlineMs = this.deadlineMs): Promise<IngestResponse> {
    return unary(
      this.client.Ingest.bind(this.client),
      { events: events.map(complete) },
      apiKeyMetadata(this.options.apiKey),
      deadlineMs,
    );
  }

  /** Sends each batch as one stream message; resolves with the server's summary. */
  ingestStream(
    batches: AsyncIterable<IngestEvent[]> | Iterable<IngestEvent[]>,
    deadlineMs = this.deadlineMs,
  ): Promise<IngestResponse> {
    return new Promise((resolve, reject) => {
      const call = this.client.IngestStream(
        apiKeyMetadata(this.options.apiKey),
        { deadline: new Date(Date.now() + deadlineMs) },
        (error, response) => (error ? reject(error) : resolve(response)),
      );
      void (async () => {
        try {
          for await (const batch of batches) {
            if (!call.write({ events: batch.map(complete) })) await new Promise((resume) => call.once('drain', resume));
          }
          call.end();
        } catch (error) {
          call.cancel();
          reject(error);
        }
      })();
    });
  }

  close(): void {
    this.client.close();
  }
}
