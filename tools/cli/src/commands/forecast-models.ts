import { proto } from '@pulse/contracts';

import { UsageError } from '../usage-error.js';

const { ForecastModel } = proto.pulse.forecast.v1;

/** Model names on the command line. */
export const MODELS: Readonly<Record<string, proto.pulse.forecast.v1.ForecastModel>> = {
  auto: ForecastModel.FORECAST_MODEL_AUTO,
  linear: ForecastModel.FORECAST_MODEL_LINEAR,
  'holt-winters': ForecastModel.FORECAST_MODEL_HOLT_WINTERS,
  'seasonal-naive': ForecastModel.FORECAST_MODEL_SEASONAL_NAIVE,
};

export function parseModel(text: string, option = '--model'): proto.pulse.forecast.v1.ForecastModel {
  const model = MODELS[text.trim()];
  if (model === undefined) {
    throw new UsageError(`${option}: ${JSON.stringify(text)} is not one of ${Object.keys(MODELS).join(', ')}`);
  }
  return model;
}

/** The command-line name of a model (`FORECAST_MODEL_HOLT_WINTERS` → `holt-winters`). */
export function modelName(model: proto.pulse.forecast.v1.ForecastModel | string): string {
  return Object.entries(MODELS).find(([, value]) => value === model)?.[0] ?? String(model);
}

export function forecastGranularity(text: string): string {
  if (text !== '1m' && text !== '1h' && text !== '1d') {
    throw new UsageError(`--granularity: ${JSON.stringify(text)} is not 1m, 1h or 1d`);
  }
  return text;
}
