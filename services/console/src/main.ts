import 'reflect-metadata';

import { httpsServerOptions } from '@pulse/config';
import { runService } from '@pulse/telemetry';

import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

import { AppModule } from './app.module.js';
import { loadConsoleConfig } from './console.config.js';

await runService('console', async () => {
  const config = loadConsoleConfig();
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    new FastifyAdapter(httpsServerOptions()),
  );
  await app.listen(config.PULSE_CONSOLE_HTTP_PORT, config.PULSE_CONSOLE_HOST);
  return {
    app,
    shutdownTimeoutMs: config.PULSE_SHUTDOWN_TIMEOUT_MS,
    listening: `http://${config.PULSE_CONSOLE_HOST}:${config.PULSE_CONSOLE_HTTP_PORT}`,
  };
});
