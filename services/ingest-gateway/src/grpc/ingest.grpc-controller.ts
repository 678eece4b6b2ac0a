import { ApiKeyRegistry } from '@pulse/config';
import { proto } from '@pulse/contracts';
import { tenantFromMetadata } from '@pulse/grpc';

import { type Metadata, type ServerUnaryCall } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';
import { catchError, concatMap, map, reduce } from 'rxjs/operators';

import { EventsService, type IngestResult } from '../events/events.service.js';
import { IngestError } from '../events/ingest-error.js';
import { toRpcException } from './ingest-status.js';
import { candidateFromProto } from './proto-events.js';

type IngestRequest = proto.pulse.ingest.v1.IngestRequest;
type IngestResponse = proto.pulse.ingest.v1.IngestResponse;
type IngestStreamRequest = proto.pulse.ingest.v1.IngestStreamRequest;

/** Time left before the caller's deadline, so a publish never outlives the call. */
function deadlineExceeded(call: ServerUnaryCall<unknown, unknown> | undefined): boolean {
  const deadline = call?.getDeadline();
  if (deadline === undefined || deadline === Infinity) return false;
  const at = deadline instanceof Date ? deadline.getTime() : Number(deadline);
  return Number.isFinite(at) && at <= Date.now();
}

function response(result: IngestResult): IngestResponse {
  return { accepted: result.accepted, duplicates: result.duplicates, rejected: result.rejected };
}

/** gRPC adapter of the ingest use case (pulse.ingest.v1.IngestService). */
@Controller()
@proto.pulse.ingest.v1.IngestServiceControllerMethods()
export class IngestGrpcController implements proto.pulse.ingest.v1.IngestServiceController {
  constructor(
    private readonly events: EventsService,
    private readonly apiKeys: ApiKeyRegistry,
  ) {}

  async ingest(
    request: IngestRequest,
    metadata?: Metadata,
    call?: ServerUnaryCall<unknown, unknown>,
  ): Promise<IngestResponse> {
    try {
      const tenant = this.tenant(metadata);
      const result = await this.events.ingest(tenant, request.events.map(candidateFromProto));
      if (deadlineExceeded(call))
        throw new IngestError('unavailable', 'deadline passed while persisting; retry (ids dedupe)');
      return response(result);
    } catch (error) {
      throw toRpcException(error);
    }
  }

  /**
   * Client streaming: each message is one batch, persisted before the next is read (backpressure
   * through gRPC flow control); one summary when the client half-closes. A failure ends the call
   * with its status — batches already answered were persisted, so resending them only dedupes.
   */
  // Returns an Observable, not a Promise: Nest replays the buffered request messages only after
  // the handler returned, so awaiting them inside a Promise would wait forever.
  ingestStream(requests: Observable<IngestStreamRequest>, metadata?: Metadata): Observable<IngestResponse> {
    let tenant: string;
    try {
      tenant = this.tenant(metadata);
    } catch (error) {
      return throwError(() => toRpcException(error));
    }
    let offset = 0;
    const total = requests.pipe(
      concatMap(async (request) => {
        const candidates = request.events.map(candidateFromProto);
        const result = await this.events.ingest(tenant, candidates, offset);
        offset += candidates.length;
        return result;
      }),
      reduce<IngestResult, IngestResult>(
        (sum, result) => ({
          accepted: sum.accepted + result.accepted,
          duplicates: sum.duplicates + result.duplicates,
          rejected: sum.rejected.concat(result.rejected),
        }),
        { accepted: 0, duplicates: 0, rejected: [] },
      ),
    );
    return total.pipe(
      map(response),
      catchError((error: unknown) => throwError(() => toRpcException(error))),
    );
  }

  private tenant(metadata: Metadata | undefined): string {
    return tenantFromMetadata(this.apiKeys, metadata, 'ingest');
  }
}
