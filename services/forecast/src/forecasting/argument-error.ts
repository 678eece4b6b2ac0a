/**
 * A request the service cannot answer as asked, naming the request field at fault (what the gRPC
 * adapter turns into INVALID_ARGUMENT with a google.rpc.BadRequest field violation).
 */
export class ArgumentError extends Error {
  override readonly name = 'ArgumentError';

  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}
