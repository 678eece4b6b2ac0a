import 'reflect-metadata';

import { httpsServerOptions } from '@pulse/config';
import { runService } from '@pulse/telemetry';

import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

import { loadAggregatorConfig } from './aggregator.config.js';
import { AppModule } from './app.module.js';

await runService('aggregator', async () => {
  const config = loadAggregatorConfig();
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    new FastifyAdapter(httpsServerOptions()),
  );
  await app.listen(config.PULSE_AGGREGATOR_HTTP_PORT, config.PULSE_AGGREGATOR_HOST);
  return {
    app,
    shutdownTimeoutMs: config.PULSE_SHUTDOWN_TIMEOUT_MS,
    listening: `http://${config.PULSE_AGGREGATOR_HOST}:${config.PULSE_AGGREGATOR_HTTP_PORT}`,
  };
});
