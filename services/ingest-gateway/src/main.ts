import 'reflect-metadata';

import { runService } from '@pulse/telemetry';

import { startGateway } from './gateway.app.js';
import { loadGatewayConfig } from './gateway.config.js';

await runService('ingest-gateway', async () => {
  const config = loadGatewayConfig();
  const app = await startGateway(config);
  return {
    app,
    shutdownTimeoutMs: config.PULSE_SHUTDOWN_TIMEOUT_MS,
    listening: `http://${config.PULSE_INGEST_HOST}:${config.PULSE_INGEST_HTTP_PORT}, grpc ${config.PULSE_INGEST_HOST}:${config.PULSE_INGEST_GRPC_PORT}`,
  };
});
