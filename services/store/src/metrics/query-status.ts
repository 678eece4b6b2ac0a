import { statusDetails } from '@pulse/grpc';

import { Metadata, status } from '@grpc/grpc-js';
import { type Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import cassandra from 'cassandra-driver';

import { QueryAbortedError, QueryArgumentError } from '../query/query-error.js';

/**
 * The one place query errors become gRPC statuses. INVALID_ARGUMENT carries the standard
 * `grpc-status-details-bin` trailer — a google.rpc.Status holding a google.rpc.BadRequest with
 * the field violation — so grpcurl and any gRPC client can show which field was wrong; the
 * message says the same in words. Nothing internal (stack, CQL) reaches the client.
 */
export function queryStatus(error: unknown, aborted: QueryAbortedError | undefined, logger: Logger): RpcException {
  if (error instanceof RpcException) return error;
  if (error instanceof QueryArgumentError) return invalidArgument(error.field, error.reason);
  // Once the budget ran out, whatever the driver threw after is a consequence of that.
  const stopped = aborted ?? (error instanceof QueryAbortedError ? error : undefined);
  if (stopped) {
    return new RpcException({
      code: stopped.reason === 'deadline' ? status.DEADLINE_EXCEEDED : status.CANCELLED,
      message: stopped.message,
    });
  }
  if (isCassandraUnavailable(error)) {
    // The driver's messages carry host addresses and inner stacks: logged, not sent.
    logger.warn(`query failed, Cassandra unavailable: ${(error as Error).message}`);
    return new RpcException({
      code: status.UNAVAILABLE,
      message: `metrics store unavailable: Cassandra did not answer (${(error as Error).name}); retry later`,
    });
  }
  logger.error(`query failed: ${(error as Error)?.stack ?? String(error)}`);
  return new RpcException({ code: status.INTERNAL, message: 'the query failed on the server; see its log' });
}

const RETRYABLE_RESPONSE_CODES = new Set<number>([
  cassandra.types.responseErrorCodes.unavailableException,
  cassandra.types.responseErrorCodes.overloaded,
  cassandra.types.responseErrorCodes.isBootstrapping,
  cassandra.types.responseErrorCodes.readTimeout,
  cassandra.types.responseErrorCodes.readFailure,
]);

/** Errors that say Cassandra could not answer now (as opposed to a bug or bad data). */
export function isCassandraUnavailable(error: unknown): boolean {
  const errors = cassandra.errors;
  return (
    error instanceof errors.NoHostAvailableError ||
    error instanceof errors.OperationTimedOutError ||
    error instanceof errors.BusyConnectionError ||
    (error instanceof errors.ResponseError && RETRYABLE_RESPONSE_CODES.has(error.code)) ||
    (error instanceof Error && error.message === 'Cassandra session is not open yet')
  );
}

export function invalidArgument(field: string, reason: string): RpcException {
  const message = `${field}: ${reason}`;
  const metadata = new Metadata();
  metadata.set(
    'grpc-status-details-bin',
    statusDetails(status.INVALID_ARGUMENT, message, [{ field, description: reason }]),
  );
  return new RpcException({ code: status.INVALID_ARGUMENT, message, metadata });
}
