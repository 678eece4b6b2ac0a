import { InsufficientHistoryError } from '@pulse/forecasting';
import { statusDetails } from '@pulse/grpc';

import { Metadata, status } from '@grpc/grpc-js';
import { type Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';

import { AlertsUnavailableError, ShuttingDownError } from '../alerts/alert-stream.js';
import { ArgumentError } from '../forecasting/argument-error.js';
import { BudgetExceededError } from '../forecasting/call-budget.js';
import { StoreReadError } from '../history/store-history.js';

/**
 * The one place this service's errors become gRPC statuses. INVALID_ARGUMENT carries the standard
 * `grpc-status-details-bin` trailer (google.rpc.Status with a google.rpc.BadRequest naming the
 * field), as the store's answers do; a short history is FAILED_PRECONDITION with the minimum in
 * the message; the store's failures keep their meaning (UNAVAILABLE stays retryable). Nothing
 * internal (stack, addresses) reaches the client.
 */
export function rpcStatus(error: unknown, logger: Logger): RpcException {
  if (error instanceof RpcException) return error;
  if (error instanceof ArgumentError) return invalidArgument([{ field: error.field, description: error.reason }]);
  if (error instanceof InsufficientHistoryError) {
    return new RpcException({ code: status.FAILED_PRECONDITION, message: error.message });
  }
  if (error instanceof BudgetExceededError) {
    return new RpcException({
      code: error.reason === 'deadline' ? status.DEADLINE_EXCEEDED : status.CANCELLED,
      message: error.message,
    });
  }
  if (error instanceof StoreReadError) return storeStatus(error, logger);
  if (error instanceof AlertsUnavailableError) {
    logger.warn(error.message);
    return new RpcException({
      code: status.UNAVAILABLE,
      message: 'alerts unavailable: NATS JetStream did not answer; retry later',
    });
  }
  if (error instanceof ShuttingDownError) return new RpcException({ code: status.UNAVAILABLE, message: error.message });
  logger.error(`call failed: ${(error as Error)?.stack ?? String(error)}`);
  return new RpcException({ code: status.INTERNAL, message: 'the call failed on the server; see its log' });
}

function storeStatus(error: StoreReadError, logger: Logger): RpcException {
  switch (error.code) {
    case status.INVALID_ARGUMENT:
      // The store names its own request's field; ours are named the same (metric, dimension, ...).
      return invalidArgument(
        error.violations.length > 0 ? error.violations : [{ field: 'request', description: error.details }],
      );
    case status.DEADLINE_EXCEEDED:
    case status.CANCELLED:
      return new RpcException({
        code: status.DEADLINE_EXCEEDED,
        message: 'the metrics store did not answer before the deadline',
      });
    case status.UNAUTHENTICATED:
    case status.PERMISSION_DENIED:
      return new RpcException({ code: error.code, message: `the metrics store refused the API key: ${error.details}` });
    case status.UNAVAILABLE:
    case status.RESOURCE_EXHAUSTED:
      logger.warn(`store read failed: ${error.details}`);
      return new RpcException({ code: status.UNAVAILABLE, message: 'metrics store unavailable; retry later' });
    default:
      logger.error(`store read failed with status ${error.code}: ${error.details}`);
      return new RpcException({ code: status.INTERNAL, message: 'reading the history from the metrics store failed' });
  }
}

export function invalidArgument(violations: ReadonlyArray<{ field: string; description: string }>): RpcException {
  const message = violations.map((violation) => `${violation.field}: ${violation.description}`).join('; ');
  const metadata = new Metadata();
  metadata.set('grpc-status-details-bin', statusDetails(status.INVALID_ARGUMENT, message, violations));
  return new RpcException({ code: status.INVALID_ARGUMENT, message, metadata });
}
