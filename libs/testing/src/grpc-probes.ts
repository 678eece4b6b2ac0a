import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { credentials, loadPackageDefinition, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

const require = createRequire(import.meta.url);

type Ctor = new (
  address: string,
  creds: ReturnType<typeof credentials.createInsecure>,
) => Record<string, unknown> & {
  close(): void;
};

/** grpc.health.v1 Check, as a Kubernetes gRPC probe or grpc-health-probe would call it. */
export function grpcHealth(
  address: string,
  service = '',
  creds: ChannelCredentials = credentials.createInsecure(),
): Promise<string> {
  const protoPath = join(dirname(require.resolve('grpc-health-check/package.json')), 'proto/health/v1/health.proto');
  const loaded = loadPackageDefinition(loadSync(protoPath, { keepCase: true, enums: String })) as unknown as {
    grpc: { health: { v1: { Health: Ctor } } };
  };
  const client = new loaded.grpc.health.v1.Health(address, creds);
  return new Promise((resolve, reject) => {
    (client.Check as (r: object, o: object, cb: (e: ServiceError | null, res: { status: string }) => void) => void)(
      { service },
      { deadline: new Date(Date.now() + 3_000) },
      (error, response) => {
        client.close();
        if (error) reject(error);
        else resolve(response.status);
      },
    );
  });
}

/** The services a server lists through grpc.reflection.v1 — what `grpcurl list` shows. */
export function grpcReflectionServices(address: string): Promise<string[]> {
  const protoPath = join(
    dirname(require.resolve('@grpc/reflection/package.json')),
    'build/proto/grpc/reflection/v1/reflection.proto',
  );
  const loaded = loadPackageDefinition(loadSync(protoPath, { keepCase: true })) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: Ctor } } };
  };
  const client = new loaded.grpc.reflection.v1.ServerReflection(address, credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const call = (client.ServerReflectionInfo as (o: object) => NodeJS.ReadWriteStream & { end(): void })({
      deadline: new Date(Date.now() + 3_000),
    });
    call.on('data', (response: { list_services_response?: { service: Array<{ name: string }> } }) => {
      resolve((response.list_services_response?.service ?? []).map((s) => s.name).sort());
      call.end();
      client.close();
    });
    call.on('error', (error: Error) => {
      client.close();
      reject(error);
    });
    call.write({ list_services: '*' } as unknown as string);
  });
}
