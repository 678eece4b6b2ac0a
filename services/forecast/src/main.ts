import 'reflect-metadata';

import { runService } from '@pulse/telemetry';

import { startForecast } from './forecast.app.js';
import { loadForecastConfig } from './forecast.config.js';

await runService('forecast', async () => {
  const config = loadForecastConfig();
  const app = await startForecast(config);
  return {
    app,
    shutdownTimeoutMs: config.PULSE_SHUTDOWN_TIMEOUT_MS,
    listening: `http://${config.PULSE_FORECAST_HOST}:${config.PULSE_FORECAST_HTTP_PORT}, grpc ${config.PULSE_FORECAST_HOST}:${config.PULSE_FORECAST_GRPC_PORT}`,
  };
});
