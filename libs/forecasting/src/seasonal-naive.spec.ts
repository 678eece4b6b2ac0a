import { fitSeasonalNaive } from './seasonal-naive.js';
import { shopSignal } from './synthetic-series.fixture.js';

describe('seasonal naive', () => {
  const spec = { length: 0, level: 300, daily: 100, weekend: 50 };
  const signal = (t: number) => shopSignal(spec, t);

  it('repeats the last week of a weekly-periodic series, with three weeks of history', () => {
    const values = Array.from({ length: 3 * 168 }, (_, t) => signal(t));
    const forecast = fitSeasonalNaive(values, [24, 168]).predict(200);
    forecast.forEach((value, i) => expect(value).toBeCloseTo(signal(values.length + i), 9));
  });

  it('repeats the last day while the history holds less than two weeks', () => {
    const values = Array.from({ length: 10 * 24 }, (_, t) => signal(t));
    const forecast = fitSeasonalNaive(values, [24, 168]).predict(30);
    forecast.forEach((value, i) => expect(value).toBe(values[values.length - 24 + (i % 24)]));
  });

  it('forecasts from an earlier origin what it would have forecast when fitted there', () => {
    const values = Array.from({ length: 3 * 168 }, (_, t) => signal(t) + (t % 7));
    const model = fitSeasonalNaive(values, [24, 168]);
    expect(model.forecastsAt([200, 400], 24)).toEqual([
      fitSeasonalNaive(values.slice(0, 200), [24, 168]).predict(24),
      fitSeasonalNaive(values.slice(0, 400), [24, 168]).predict(24),
    ]);
  });
});
