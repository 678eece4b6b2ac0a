import 'reflect-metadata';

import { createHealth, grpcServerOptions, PROTO_FILES } from '@pulse/grpc';
import { runService } from '@pulse/telemetry';

import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

import { AppModule } from './app.module.js';
import { loadStoreConfig } from './store.config.js';

const SERVICE = 'pulse.store.v1.MetricsService';

await runService('store', async () => {
  const config = loadStoreConfig();
  const health = createHealth([SERVICE]);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter());
  app.connectMicroservice(
    grpcServerOptions({
      url: `${config.PULSE_STORE_HOST}:${config.PULSE_STORE_GRPC_PORT}`,
      packageName: 'pulse.store.v1',
      protoFile: PROTO_FILES.store,
      services: [SERVICE],
      health,
    }),
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.listen(config.PULSE_STORE_HTTP_PORT, config.PULSE_STORE_HOST);
  health.setStatus('', 'SERVING');
  health.setStatus(SERVICE, 'SERVING');
  return {
    app,
    shutdownTimeoutMs: config.PULSE_SHUTDOWN_TIMEOUT_MS,
    listening: `http://${config.PULSE_STORE_HOST}:${config.PULSE_STORE_HTTP_PORT}, grpc ${config.PULSE_STORE_HOST}:${config.PULSE_STORE_GRPC_PORT}`,
  };
});
