import 'reflect-metadata';

import { createHealth, grpcServerOptions, PROTO_FILES } from '@pulse/grpc';
import { runService } from '@pulse/telemetry';

import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

import { AppModule } from './app.module.js';
import { loadForecastConfig } from './forecast.config.js';

const SERVICE = 'pulse.forecast.v1.ForecastService';

await runService('forecast', async () => {
  const config = loadForecastConfig();
  const health = createHealth([SERVICE]);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter());
  app.connectMicroservice(
    grpcServerOptions({
      url: `${config.PULSE_FORECAST_HOST}:${config.PULSE_FORECAST_GRPC_PORT}`,
      packageName: 'pulse.forecast.v1',
      protoFile: PROTO_FILES.forecast,
      services: [SERVICE],
      health,
    }),
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.listen(config.PULSE_FORECAST_HTTP_PORT, config.PULSE_FORECAST_HOST);
  health.setStatus('', 'SERVING');
  health.setStatus(SERVICE, 'SERVING');
  return {
    app,
    shutdownTimeoutMs: config.PULSE_SHUTDOWN_TIMEOUT_MS,
    listening: `http://${config.PULSE_FORECAST_HOST}:${config.PULSE_FORECAST_HTTP_PORT}, grpc ${config.PULSE_FORECAST_HOST}:${config.PULSE_FORECAST_GRPC_PORT}`,
  };
});
