import { proto } from '@pulse/contracts';

import { ArgumentError } from './argument-error.js';
import { dimensionProblem, parseBacktestRequest, parseForecastRequest } from './forecast-requests.js';

const { ForecastModel } = proto.pulse.forecast.v1;

/** The field an invalid request is refused for. */
function refusedField(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    if (error instanceof ArgumentError) return error.field;
    throw error;
  }
  throw new Error('the request was accepted');
}

describe('Forecast request validation', () => {
  it('fills the defaults: dimension all, 1h, one day ahead, auto, 80% and 95% intervals', () => {
    expect(parseForecastRequest({ metric: 'revenue' })).toEqual({
      metric: 'revenue',
      dimension: 'all',
      granularity: '1h',
      horizon: 24,
      model: 'auto',
      levels: [0.8, 0.95],
    });
  });

  it('defaults the horizon to one season of the granularity (60 minutes, 7 days)', () => {
    expect(parseForecastRequest({ metric: 'orders', granularity: '1m' }).horizon).toBe(60);
    expect(parseForecastRequest({ metric: 'orders', granularity: '1d' }).horizon).toBe(7);
  });

  it('keeps what the caller asked for', () => {
    const query = parseForecastRequest({
      metric: 'unique_users',
      dimension: 'product:SKU-1',
      granularity: '1d',
      horizon: 30,
      model: ForecastModel.FORECAST_MODEL_HOLT_WINTERS,
      intervalLevels: [0.5, 0.99],
    });
    expect(query).toEqual({
      metric: 'unique_users',
      dimension: 'product:SKU-1',
      granularity: '1d',
      horizon: 30,
      model: 'holt_winters',
      levels: [0.5, 0.99],
    });
  });

  it.each([
    ['metric', { metric: '' }],
    ['metric', { metric: 'profit' }],
    ['dimension', { metric: 'revenue', dimension: 'sku:1' }],
    ['dimension', { metric: 'revenue', dimension: 'product:' }],
    ['dimension', { metric: 'revenue', dimension: 'product' }],
    ['granularity', { metric: 'revenue', granularity: '5m' }],
    ['horizon', { metric: 'revenue', horizon: 721 }],
    ['horizon', { metric: 'revenue', granularity: '1d', horizon: 367 }],
    ['model', { metric: 'revenue', model: 'FORECAST_MODEL_ARIMA' as proto.pulse.forecast.v1.ForecastModel }],
    ['interval_levels[1]', { metric: 'revenue', intervalLevels: [0.8, 1] }],
    ['interval_levels[0]', { metric: 'revenue', intervalLevels: [0] }],
    ['interval_levels[2]', { metric: 'revenue', intervalLevels: [0.8, 0.9, 0.8] }],
    ['interval_levels', { metric: 'revenue', intervalLevels: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] }],
  ])('refuses a request naming the field %s', (field, request) => {
    expect(refusedField(() => parseForecastRequest(request))).toBe(field);
  });

  it('says which metrics exist when the metric is unknown', () => {
    expect(() => parseForecastRequest({ metric: 'profit' })).toThrow(
      /unknown metric "profit"; one of events, .*revenue/,
    );
  });

  it('accepts the longest horizons: a day of minutes, 30 days of hours, a year of days', () => {
    expect(parseForecastRequest({ metric: 'events', granularity: '1m', horizon: 1440 }).horizon).toBe(1440);
    expect(parseForecastRequest({ metric: 'events', granularity: '1h', horizon: 720 }).horizon).toBe(720);
    expect(parseForecastRequest({ metric: 'events', granularity: '1d', horizon: 366 }).horizon).toBe(366);
  });
});

describe('Backtest request validation', () => {
  it('evaluates all four models on 10 non-overlapping day-ahead origins by default', () => {
    expect(parseBacktestRequest({ metric: 'revenue' })).toEqual({
      metric: 'revenue',
      dimension: 'all',
      granularity: '1h',
      horizon: 24,
      origins: 10,
      stride: 24,
      models: ['auto', 'seasonal_naive', 'linear', 'holt_winters'],
      levels: [0.8, 0.95],
    });
  });

  it('keeps the models in request order', () => {
    const query = parseBacktestRequest({
      metric: 'orders',
      models: [ForecastModel.FORECAST_MODEL_LINEAR, ForecastModel.FORECAST_MODEL_SEASONAL_NAIVE],
      origins: 3,
      stride: 6,
    });
    expect(query.models).toEqual(['linear', 'seasonal_naive']);
    expect([query.origins, query.stride]).toEqual([3, 6]);
  });

  it.each([
    ['origins', { metric: 'revenue', origins: 51 }],
    ['stride', { metric: 'revenue', stride: 10_000 }],
    ['models[0]', { metric: 'revenue', models: [ForecastModel.FORECAST_MODEL_UNSPECIFIED] }],
    [
      'models[1]',
      { metric: 'revenue', models: [ForecastModel.FORECAST_MODEL_AUTO, ForecastModel.FORECAST_MODEL_AUTO] },
    ],
    ['horizon', { metric: 'revenue', granularity: '1m', horizon: 1441 }],
  ])('refuses a request naming the field %s', (field, request) => {
    expect(refusedField(() => parseBacktestRequest(request))).toBe(field);
  });
});

describe('dimension names', () => {
  it('accepts all and <kind>:<value> of the four kinds', () => {
    for (const dimension of ['all', 'product:SKU-1', 'category:shoes', 'country:GB', 'channel:web', 'product:a:b']) {
      expect(dimensionProblem(dimension)).toBeUndefined();
    }
  });

  it('refuses other kinds, empty values and overlong values', () => {
    for (const dimension of ['', 'All', 'brand:x', ':x', 'product:', `product:${'x'.repeat(257)}`]) {
      expect(dimensionProblem(dimension)).toBeDefined();
    }
  });
});
