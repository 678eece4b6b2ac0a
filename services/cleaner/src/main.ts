import 'reflect-metadata';

import { httpsServerOptions } from '@pulse/config';
import { runService } from '@pulse/telemetry';

import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

import { AppModule } from './app.module.js';
import { loadCleanerSettings } from './cleaner.config.js';

await runService('cleaner', async () => {
  const settings = loadCleanerSettings();
  const { env } = settings;
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(settings),
    new FastifyAdapter(httpsServerOptions()),
  );
  await app.listen(env.PULSE_CLEANER_HTTP_PORT, env.PULSE_CLEANER_HOST);
  return {
    app,
    shutdownTimeoutMs: env.PULSE_SHUTDOWN_TIMEOUT_MS,
    listening: `http://${env.PULSE_CLEANER_HOST}:${env.PULSE_CLEANER_HTTP_PORT}`,
  };
});
