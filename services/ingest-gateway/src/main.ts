import 'reflect-metadata';

import { runService } from '@pulse/telemetry';

import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

import { AppModule } from './app.module.js';
import { loadGatewayConfig } from './gateway.config.js';

await runService('ingest-gateway', async () => {
  const config = loadGatewayConfig();
  const adapter = new FastifyAdapter({ bodyLimit: config.PULSE_INGEST_MAX_BODY_BYTES });
  // NDJSON arrives as text and is split per line by the controller (a bad line rejects one event).
  adapter.getInstance().addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, (_req, body, done) => {
    done(null, body);
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: false,
  });
  await app.listen(config.PULSE_INGEST_HTTP_PORT, config.PULSE_INGEST_HOST);
  return {
    app,
    shutdownTimeoutMs: config.PULSE_SHUTDOWN_TIMEOUT_MS,
    listening: `http://${config.PULSE_INGEST_HOST}:${config.PULSE_INGEST_HTTP_PORT}`,
  };
});
