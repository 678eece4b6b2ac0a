/**
 * A request the store cannot answer as asked, naming the request field at fault (what the gRPC
 * adapter turns into INVALID_ARGUMENT with a google.rpc.BadRequest field violation).
 */
export class QueryArgumentError extends Error {
  override readonly name = 'QueryArgumentError';

  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** The query ran out of time (its deadline or the server's query timeout) or its caller left. */
export class QueryAbortedError extends Error {
  override readonly name = 'QueryAbortedError';

  constructor(readonly reason: 'deadline' | 'cancelled') {
    super(reason === 'deadline' ? 'the query deadline passed' : 'the caller cancelled the query');
  }
}
