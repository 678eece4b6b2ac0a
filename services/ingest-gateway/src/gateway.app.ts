import { httpsServerOptions } from '@pulse/config';
import { createHealth, grpcServerOptions, PROTO_FILES, withRpcMetrics } from '@pulse/grpc';

import compress from '@fastify/compress';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

import { AppModule } from './app.module.js';
import { type GatewayConfig } from './gateway.config.js';

export const INGEST_SERVICE = 'pulse.ingest.v1.IngestService';

/**
 * Builds and starts the gateway (HTTP + gRPC) — used by main.ts and, in-process, by the
 * integration tests, so both run exactly the same wiring.
 */
export async function startGateway(
  config: Readonly<GatewayConfig>,
  options: { logger?: false } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: config.PULSE_INGEST_MAX_BODY_BYTES, ...httpsServerOptions() });
  const fastify = adapter.getInstance();
  // gzip/deflate request bodies are inflated as a stream before parsing; bodyLimit then applies
  // to the inflated bytes, so a small zip bomb is refused with 413 like a large plain body.
  await fastify.register(compress, {
    globalCompression: false,
    globalDecompression: true,
    requestEncodings: ['gzip', 'deflate'],
  });
  // NDJSON is read as bytes: each line is decoded (UTF-8) and parsed on its own.
  fastify.addContentTypeParser('application/x-ndjson', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });
  const health = createHealth([INGEST_SERVICE]);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: options.logger,
  });
  app.connectMicroservice(
    withRpcMetrics(
      grpcServerOptions({
        url: `${config.PULSE_INGEST_HOST}:${config.PULSE_INGEST_GRPC_PORT}`,
        packageName: 'pulse.ingest.v1',
        protoFile: PROTO_FILES.ingest,
        services: [INGEST_SERVICE],
        health,
      }),
    ),
    // Not inheriting the app's global filter: it speaks problem+json; gRPC errors are mapped by
    // grpc/ingest-status.ts into RpcExceptions that Nest's gRPC transport turns into statuses.
  );
  await app.startAllMicroservices();
  await app.listen(config.PULSE_INGEST_HTTP_PORT, config.PULSE_INGEST_HOST);
  health.setStatus('', 'SERVING');
  health.setStatus(INGEST_SERVICE, 'SERVING');
  return app;
}
