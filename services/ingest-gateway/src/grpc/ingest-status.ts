import { Metadata, status } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';

import { IngestError, type IngestErrorKind } from '../events/ingest-error.js';

const STATUS_OF: Record<IngestErrorKind, status> = {
  unauthenticated: status.UNAUTHENTICATED,
  forbidden: status.PERMISSION_DENIED,
  malformed: status.INVALID_ARGUMENT,
  unsupported_media_type: status.INVALID_ARGUMENT,
  too_large: status.INVALID_ARGUMENT,
  no_valid_events: status.INVALID_ARGUMENT,
  rate_limited: status.RESOURCE_EXHAUSTED,
  stream_full: status.RESOURCE_EXHAUSTED,
  unavailable: status.UNAVAILABLE,
};

/** The one place ingest errors become gRPC statuses; retry hints travel as `retry-after-ms` trailers. */
export function toRpcException(error: unknown): RpcException {
  if (error instanceof IngestError) {
    const metadata = new Metadata();
    if (error.retryAfterSeconds !== undefined) metadata.set('retry-after-ms', String(error.retryAfterSeconds * 1000));
    let details = error.detail;
    if (error.rejected?.length) {
      details += `; rejected: ${error.rejected.map((r) => `#${r.index} ${r.reason}`).join('; ')}`.slice(0, 4000);
    }
    return new RpcException({ code: STATUS_OF[error.kind], message: details, metadata });
  }
  if (error instanceof RpcException) return error;
  return new RpcException({ code: status.INTERNAL, message: 'internal error' });
}
