import { channelCredentials, LOADER_OPTIONS, protoDir } from '@pulse/grpc';

import {
  loadPackageDefinition,
  Metadata,
  type ChannelCredentials,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

export interface GrpcClientOptions {
  /** host:port */
  address: string;
  apiKey: string;
  /** Deadline applied to every call unless the call gives its own. */
  deadlineMs?: number;
  /** Default: TLS when PULSE_TLS_CA_FILE is set (libs/grpc channelCredentials), else plain text. */
  channelCredentials?: ChannelCredentials;
}

/**
 * A grpc-js client for one Pulse service, from the same .proto files the servers load, with the
 * API key sent as metadata and a retry policy for the given (idempotent) methods: UNAVAILABLE is
 * retried with backoff inside the call's deadline by gRPC itself.
 */
export function createServiceClient(
  protoFile: string,
  fullServiceName: string,
  options: GrpcClientOptions,
  retryableMethods: 'all' | 'none',
): Client {
  const definition = loadSync(protoFile, { ...LOADER_OPTIONS, includeDirs: [protoDir()] });
  const loaded = loadPackageDefinition(definition) as unknown as Record<string, unknown>;
  const Service = fullServiceName
    .split('.')
    .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], loaded) as new (
    address: string,
    creds: ChannelCredentials,
    channelOptions: object,
  ) => Client;
  const serviceConfig = {
    methodConfig:
      retryableMethods === 'all'
        ? [
            {
              name: [{ service: fullServiceName }],
              retryPolicy: {
                maxAttempts: 4,
                initialBackoff: '0.1s',
                maxBackoff: '1s',
                backoffMultiplier: 2,
                retryableStatusCodes: ['UNAVAILABLE'],
              },
            },
          ]
        : [],
  };
  return new Service(options.address, options.channelCredentials ?? channelCredentials(), {
    'grpc.service_config': JSON.stringify(serviceConfig),
    'grpc.enable_retries': 1,
    'grpc.keepalive_time_ms': 30_000,
    // The servers send up to 16 MiB (libs/grpc); grpc-js clients accept 4 MiB unless told.
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
  });
}

export function apiKeyMetadata(apiKey: string): Metadata {
  const metadata = new Metadata();
  metadata.set('x-api-key', apiKey);
  return metadata;
}

export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: { deadline: Date },
  callback: (error: ServiceError | null, response: Res) => void,
) => void;

export function unary<Req, Res>(
  method: UnaryMethod<Req, Res>,
  request: Req,
  metadata: Metadata,
  deadlineMs: number,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, metadata, { deadline: new Date(Date.now() + deadlineMs) }, (error, response) => {
      if (error) reject(error);
      else resolve(response);
    });
  });
}
