import { httpsServerOptions } from '@pulse/config';
import { createHealth, grpcServerOptions, PROTO_FILES, withRpcMetrics } from '@pulse/grpc';

import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

import { AppModule } from './app.module.js';
import { type Clock } from './clock.js';
import { type ForecastConfig } from './forecast.config.js';

export const FORECAST_SERVICE = 'pulse.forecast.v1.ForecastService';

/**
 * Builds and starts the forecast service (HTTP health + gRPC) — used by main.ts and, in-process,
 * by the integration tests, so both run exactly the same wiring.
 */
export async function startForecast(
  config: Readonly<ForecastConfig>,
  options: { logger?: false; clock?: Clock } = {},
): Promise<NestFastifyApplication> {
  const health = createHealth([FORECAST_SERVICE]);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, { clock: options.clock }),
    new FastifyAdapter(httpsServerOptions()),
    { logger: options.logger },
  );
  app.connectMicroservice(
    withRpcMetrics(
      grpcServerOptions({
        url: `${config.PULSE_FORECAST_HOST}:${config.PULSE_FORECAST_GRPC_PORT}`,
        packageName: 'pulse.forecast.v1',
        protoFile: PROTO_FILES.forecast,
        services: [FORECAST_SERVICE],
        health,
      }),
    ),
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.listen(config.PULSE_FORECAST_HTTP_PORT, config.PULSE_FORECAST_HOST);
  health.setStatus('', 'SERVING');
  health.setStatus(FORECAST_SERVICE, 'SERVING');
  return app;
}
