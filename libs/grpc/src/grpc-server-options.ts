import { type Server, type ServerCredentials } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { HealthImplementation } from 'grpc-health-check';

import { serverCredentials } from './grpc-credentials.js';
import { LOADER_OPTIONS, protoDir } from './proto-files.js';
import { withFileDependencies } from './reflection-descriptors.js';

export interface GrpcServerSettings {
  /** e.g. `0.0.0.0:50051` */
  url: string;
  /** Fully-qualified package, e.g. `pulse.store.v1`. */
  packageName: string;
  /** Proto file relative to proto/, e.g. PROTO_FILES.store. */
  protoFile: string;
  /** Fully-qualified services reported by grpc.health.v1 (e.g. `pulse.store.v1.MetricsService`). */
  services: string[];
  health: HealthImplementation;
  /** TLS of the port; default: from PULSE_TLS_CERT_FILE/KEY/CLIENT_CA_FILE (insecure when unset). */
  credentials?: ServerCredentials;
}

export function createHealth(services: string[]): HealthImplementation {
  const initial: Record<string, 'NOT_SERVING'> = { '': 'NOT_SERVING' };
  for (const service of services) initial[service] = 'NOT_SERVING';
  return new HealthImplementation(initial);
}

/**
 * Nest gRPC transport options every Pulse server shares: TLS when PULSE_TLS_CERT_FILE/KEY are set,
 * the proto from proto/, grpc.health.v1 and server reflection (so grpcurl can list and call), keepalive, bounded message sizes, and a
 * graceful shutdown that lets in-flight calls finish.
 */
export function grpcServerOptions(settings: GrpcServerSettings): GrpcOptions {
  const root = protoDir();
  return {
    transport: Transport.GRPC,
    options: {
      url: settings.url,
      credentials: settings.credentials ?? serverCredentials(),
      package: settings.packageName,
      protoPath: settings.protoFile,
      loader: { ...LOADER_OPTIONS, includeDirs: [root] },
      maxReceiveMessageLength: 8 * 1024 * 1024,
      maxSendMessageLength: 16 * 1024 * 1024,
      keepalive: {
        keepaliveTimeMs: 30_000,
        keepaliveTimeoutMs: 10_000,
        http2MinPingIntervalWithoutDataMs: 10_000,
      },
      gracefulShutdown: true,
      onLoadPackageDefinition: (definition: ConstructorParameters<typeof ReflectionService>[0], server: Server) => {
        new ReflectionService(withFileDependencies(definition)).addToServer(server);
        settings.health.addToServer(server);
      },
    },
  };
}
