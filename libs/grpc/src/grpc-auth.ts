import { presentedApiKey, type ApiKeyRegistry, type ApiKeyScope } from '@pulse/config';

import { status, type Metadata } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';

/**
 * The tenant of a call, from `x-api-key` or `authorization: Bearer` metadata: UNAUTHENTICATED for
 * a missing or unknown key, PERMISSION_DENIED for a key without the scope.
 */
export function tenantFromMetadata(
  registry: ApiKeyRegistry,
  metadata: Metadata | undefined,
  scope: ApiKeyScope,
): string {
  const apiKey = metadata?.get('x-api-key')[0];
  const authorization = metadata?.get('authorization')[0];
  const key = presentedApiKey({
    apiKey: typeof apiKey === 'string' ? apiKey : undefined,
    authorization: typeof authorization === 'string' ? authorization : undefined,
  });
  const auth = registry.authenticate(key, scope);
  if (auth.ok) return auth.tenant;
  if (auth.reason === 'forbidden') {
    throw new RpcException({ code: status.PERMISSION_DENIED, message: `this API key lacks the ${scope} scope` });
  }
  throw new RpcException({
    code: status.UNAUTHENTICATED,
    message: key ? 'unknown API key' : 'missing API key: send x-api-key or authorization: Bearer metadata',
  });
}

export function invalidArgument(field: string, reason: string): RpcException {
  return new RpcException({ code: status.INVALID_ARGUMENT, message: `${field}: ${reason}` });
}

export function unavailable(reason: string): RpcException {
  return new RpcException({ code: status.UNAVAILABLE, message: reason });
}
