import { backtest, backtestAll, type BacktestReport } from './backtest.js';
import { InsufficientHistoryError } from './insufficient-history-error.js';
import { MODEL_CHOICES } from './model-names.js';
import { HOUR, hourly, shopValues, START, type ShopSeries } from './synthetic-series.fixture.js';
import { type TimeSeries } from './time-series.js';

/** Eight weeks of hourly history, as in the benchmark; backtests of 14 daily origins, a day ahead. */
const WEEKS_8 = 8 * 168;
const OPTIONS = { origins: 14, horizon: 24 };
const shop: ShopSeries = { length: WEEKS_8, level: 500, slope: 0.3, daily: 200, weekend: 100, noise: 40 };
const SERIES: Record<string, TimeSeries> = {
  'trend + daily + weekly seasonality + noise': hourly(shopValues({ ...shop, seed: 7 })),
  'a level shift inside the evaluated fortnight': hourly(
    shopValues({ ...shop, seed: 8, shift: { at: 1100, by: 300 } }),
  ),
  'a strongly periodic week with little noise': hourly(shopValues({ ...shop, slope: 0, noise: 5, seed: 4 })),
  'noise around a constant level': hourly(shopValues({ length: WEEKS_8, level: 100, noise: 20, seed: 3 })),
};
const SEASONAL = 'trend + daily + weekly seasonality + noise';

describe('backtest', () => {
  const reports = new Map<string, BacktestReport[]>();
  const report = (series: string, model: string) => reports.get(series)!.find((r) => r.model === model)!;

  beforeAll(() => {
    for (const [name, series] of Object.entries(SERIES)) {
      const models = name === SEASONAL ? MODEL_CHOICES : (['auto', 'seasonal_naive'] as const);
      reports.set(name, backtestAll(series, OPTIONS, models));
    }
  });

  it('auto beats seasonal naive clearly on trend + daily + weekly seasonality + noise', () => {
    expect(report(SEASONAL, 'auto').mase).toBeLessThan(0.85 * report(SEASONAL, 'seasonal_naive').mase);
  });

  it.each(Object.keys(SERIES))('auto is at most 5%% worse than seasonal naive on %s', (series) => {
    expect(report(series, 'auto').mase).toBeLessThanOrEqual(1.05 * report(series, 'seasonal_naive').mase);
  });

  it.each(MODEL_CHOICES)('%s intervals cover close to their nominal level on the noisy seasonal series', (model) => {
    const [c80, c95] = report(SEASONAL, model).coverage;
    expect(c80.level).toBe(0.8);
    expect(Math.abs(c80.coverage - 0.8)).toBeLessThanOrEqual(0.08);
    expect(Math.abs(c95.coverage - 0.95)).toBeLessThanOrEqual(0.04);
  });

  it.each(MODEL_CHOICES)('%s reports finite scores over every forecast window', (model) => {
    const r = report(SEASONAL, model);
    expect(r.points).toBe(14 * 24);
    expect([r.mae, r.mase, r.smape].every(Number.isFinite)).toBe(true);
    expect(Object.values(r.chosen).reduce((a, b) => a + b, 0)).toBe(14);
  });

  it('places the origins a horizon apart, the last forecast ending with the series', () => {
    const r = report(SEASONAL, 'seasonal_naive');
    expect(r.origins).toHaveLength(14);
    expect(r.origins[13]).toBe(START + (WEEKS_8 - 24) * HOUR);
    expect(r.origins[0]).toBe(START + (WEEKS_8 - 14 * 24) * HOUR);
  });

  it('does not score windows whose actual is missing', () => {
    const values = shopValues({ ...shop, length: 600, seed: 1 }).map((v, t) => (t >= 590 || t === 560 ? null : v));
    const r = backtest(hourly(values), 'seasonal_naive', { origins: 3, horizon: 24, stride: 12 });
    // Forecasts of 552..575, 564..587 and 576..599: 560 is missing from the first, 590..599 from the last.
    expect(r.points).toBe(3 * 24 - 1 - 10);
  });

  it('scores a series of zeros with MASE 0, sMAPE 0 and full coverage', () => {
    const r = backtest(hourly(new Array<number>(300).fill(0)), 'auto', { origins: 3, horizon: 24 });
    expect(r).toMatchObject({ mae: 0, mase: 0, smape: 0 });
    expect(r.coverage.map((c) => c.coverage)).toEqual([1, 1]);
  });

  it('needs the model minimum plus the span of the origins, and says so', () => {
    const run = () => backtest(hourly(new Array<number>(100).fill(1)), 'holt_winters', { origins: 3, horizon: 24 });
    expect(run).toThrow(InsufficientHistoryError);
    expect(run).toThrow(
      'holt_winters needs at least 144 points of 1h history for 3 backtest origins 24 apart forecasting 24 windows, got 100',
    );
  });
});
