import 'reflect-metadata';

import { runService } from '@pulse/telemetry';

import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

import { AppModule } from './app.module.js';
import { loadCleanerConfig } from './cleaner.config.js';

await runService('cleaner', async () => {
  const config = loadCleanerConfig();
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter());
  await app.listen(config.PULSE_CLEANER_HTTP_PORT, config.PULSE_CLEANER_HOST);
  return {
    app,
    shutdownTimeoutMs: config.PULSE_SHUTDOWN_TIMEOUT_MS,
    listening: `http://${config.PULSE_CLEANER_HOST}:${config.PULSE_CLEANER_HTTP_PORT}`,
  };
});
