import { loadConfig, ShutdownSettings } from '@pulse/config';

import { Type, type Static } from '@sinclair/typebox';

export const ForecastConfigSchema = Type.Object({
  ...ShutdownSettings,
  PULSE_FORECAST_HOST: Type.String({ default: '0.0.0.0' }),
  PULSE_FORECAST_HTTP_PORT: Type.Integer({ default: 8084, minimum: 1, maximum: 65535 }),
  PULSE_FORECAST_GRPC_PORT: Type.Integer({ default: 50052, minimum: 1, maximum: 65535 }),
  /** Where the store's MetricsService listens (history comes from there). */
  PULSE_STORE_ADDR: Type.String({ default: '127.0.0.1:50051' }),
});
export type ForecastConfig = Static<typeof ForecastConfigSchema>;

export function loadForecastConfig(env: NodeJS.ProcessEnv = process.env): Readonly<ForecastConfig> {
  return loadConfig(ForecastConfigSchema, env);
}
