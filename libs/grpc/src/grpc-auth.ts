import { presentedApiKey, type ApiKeyRegistry } from '@pulse/config';

import { status, type Metadata } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';

/** The tenant of a call, from `x-api-key` or `authorization: Bearer` metadata; UNAUTHENTICATED otherwise. */
export function tenantFromMetadata(registry: ApiKeyRegistry, metadata: Metadata | undefined): string {
  const apiKey = metadata?.get('x-api-key')[0];
  const authorization = metadata?.get('authorization')[0];
  const key = presentedApiKey({
    apiKey: typeof apiKey === 'string' ? apiKey : undefined,
    authorization: typeof authorization === 'string' ? authorization : undefined,
  });
  const tenant = registry.tenantOf(key);
  if (!tenant) {
    throw new RpcException({
      code: status.UNAUTHENTICATED,
      message: key ? 'unknown API key' : 'missing API key: send x-api-key or authorization: Bearer metadata',
    });
  }
  return tenant;
}

export function invalidArgument(field: string, reason: string): RpcException {
  return new RpcException({ code: status.INVALID_ARGUMENT, message: `${field}: ${reason}` });
}

export function unavailable(reason: string): RpcException {
  return new RpcException({ code: status.UNAVAILABLE, message: reason });
}
