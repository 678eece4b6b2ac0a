import { InsufficientHistoryError } from '@pulse/forecasting';

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

// google.rpc.Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
// google.protobuf.Any { string type_url = 1; bytes value = 2; }
// google.rpc.BadRequest { repeated FieldViolation field_violations = 1; }
// google.rpc.BadRequest.FieldViolation { string field = 1; string description = 2; }
// Encoded by hand like the store's query-status.ts; both belong in libs/grpc once it may change.

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

function lengthDelimited(fieldNumber: number, payload: Buffer | string): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([varint((fieldNumber << 3) | 2), varint(bytes.length), bytes]);
}

export function statusDetails(
  code: number,
  message: string,
  violations: ReadonlyArray<{ field: string; description: string }>,
): Buffer {
  const badRequest = Buffer.concat(
    violations.map((violation) =>
      lengthDelimited(
        1,
        Buffer.concat([lengthDelimited(1, violation.field), lengthDelimited(2, violation.description)]),
      ),
    ),
  );
  const any = Buffer.concat([
    lengthDelimited(1, 'type.googleapis.com/google.rpc.BadRequest'),
    lengthDelimited(2, badRequest),
  ]);
  return Buffer.concat([varint((1 << 3) | 0), varint(code), lengthDelimited(2, message), lengthDelimited(3, any)]);
}
