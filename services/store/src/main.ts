import 'reflect-metadata';

import { httpsServerOptions } from '@pulse/config';
import { createHealth, grpcServerOptions, PROTO_FILES, withRpcMetrics } from '@pulse/grpc';
import { runService } from '@pulse/telemetry';

import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

import { AppModule } from './app.module.js';
import { CassandraClient } from './cassandra/cassandra.client.js';
import { loadCassandraConfig, loadStoreConfig } from './store.config.js';

const SERVICE = 'pulse.store.v1.MetricsService';

/**
 * `PULSE_STORE_MIGRATE_ONLY=true`: create the keyspace, apply pending migrations, exit 0 — what the
 * Helm pre-install/pre-upgrade Job runs, so schema changes land before new pods start.
 */
if (process.env.PULSE_STORE_MIGRATE_ONLY === 'true') {
  try {
    const cassandra = new CassandraClient(loadCassandraConfig());
    await cassandra.onModuleInit();
    await cassandra.onApplicationShutdown();
    process.exit(0);
  } catch (error) {
    process.stderr.write(`store: migration failed: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit((error as Error)?.name === 'ConfigError' ? 78 : 1);
  }
}

await runService('store', async () => {
  const config = loadStoreConfig();
  const health = createHealth([SERVICE]);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    new FastifyAdapter(httpsServerOptions()),
  );
  app.connectMicroservice(
    withRpcMetrics(
      grpcServerOptions({
        url: `${config.PULSE_STORE_HOST}:${config.PULSE_STORE_GRPC_PORT}`,
        packageName: 'pulse.store.v1',
        protoFile: PROTO_FILES.store,
        services: [SERVICE],
        health,
      }),
    ),
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
