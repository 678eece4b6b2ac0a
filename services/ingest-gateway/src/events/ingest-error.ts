/**
 * What can go wrong with an ingest request, independent of the transport. HTTP maps these to
 * problem+json (problems/problem.filter.ts), gRPC to status codes (grpc/ingest-status.ts).
 */
export type IngestErrorKind =
  | 'unauthenticated'
  | 'forbidden'
  | 'malformed'
  | 'unsupported_media_type'
  | 'too_large'
  | 'no_valid_events'
  | 'rate_limited'
  | 'stream_full'
  | 'unavailable';

export class IngestError extends Error {
  constructor(
    readonly kind: IngestErrorKind,
    readonly detail: string,
    /** Seconds a client should wait before retrying (429/503, RESOURCE_EXHAUSTED/UNAVAILABLE). */
    readonly retryAfterSeconds?: number,
    readonly rejected?: ReadonlyArray<{ index: number; reason: string }>,
  ) {
    super(detail);
    this.name = 'IngestError';
  }
}
