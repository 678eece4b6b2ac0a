import { type FittedModel } from './fitted-model.js';
import { FORECAST_MODELS } from './forecast-models.js';
import { InsufficientHistoryError } from './insufficient-history-error.js';
import { MODEL_CHOICES, MODEL_NAMES, type ModelChoice } from './model-names.js';
import { gaussian, HOUR, hourly, shopSignal, shopValues, START } from './synthetic-series.fixture.js';

const DAY = 24 * HOUR;

describe('forecast models', () => {
  const spec = { length: 5 * 168, level: 400, slope: 0.5, daily: 120, weekend: 80, noise: 30, seed: 3 };
  const noisy = hourly(shopValues(spec));

  const fits = new Map<ModelChoice, FittedModel>();
  beforeAll(() => {
    for (const model of MODEL_CHOICES) fits.set(model, FORECAST_MODELS[model].fit(noisy));
  });

  it.each(MODEL_CHOICES)('%s forecasts the windows right after the history, one step apart', (model) => {
    const points = fits.get(model)!.forecast(5, [0.5, 0.9]);
    expect(fits.get(model)!.origin).toBe(START + spec.length * HOUR);
    expect(points.map((p) => p.t)).toEqual([0, 1, 2, 3, 4].map((i) => START + (spec.length + i) * HOUR));
    expect(points.every((p) => p.intervals.map((i) => i.level).join() === '0.5,0.9')).toBe(true);
  });

  it.each(MODEL_CHOICES)('%s nests the 80%% interval in the 95%% one around the mean', (model) => {
    for (const point of fits.get(model)!.forecast(48)) {
      const [i80, i95] = point.intervals;
      expect(i80.lower).toBeLessThan(point.mean);
      expect(i80.upper).toBeGreaterThan(point.mean);
      expect(i95.lower).toBeLessThanOrEqual(i80.lower);
      expect(i95.upper).toBeGreaterThanOrEqual(i80.upper);
    }
  });

  it.each(MODEL_NAMES)('%s gives the same forecast with a tenth of the windows and a whole day missing', (model) => {
    const clean = { length: 4 * 168, level: 400, slope: 0.5, daily: 120, weekend: 80 };
    const complete = Array.from({ length: clean.length }, (_, t) => shopSignal(clean, t));
    const draw = gaussian(17);
    const gappy = complete.map((v, t) => (draw() > 1.28 || (t >= 300 && t < 324) ? null : v));
    expect(gappy.filter((v) => v === null).length).toBeGreaterThan(60);
    const expected = FORECAST_MODELS[model].fit(hourly(complete)).forecast(48);
    const actual = FORECAST_MODELS[model].fit(hourly(gappy)).forecast(48);
    actual.forEach((point, i) => expect(Math.abs(point.mean - expected[i].mean)).toBeLessThan(1e-6));
  });

  it.each(MODEL_CHOICES)('%s forecasts zeros with zero-width intervals for a history of zeros', (model) => {
    const zeros = hourly(Array.from({ length: 200 }, (_, t) => (t % 17 === 0 ? null : 0)));
    const fitted = FORECAST_MODELS[model].fit(zeros);
    const points = fitted.forecast(30);
    expect(points.every((p) => p.mean === 0 && p.intervals.every((i) => i.lower === 0 && i.upper === 0))).toBe(true);
    expect(
      fitted
        .update([0, null, 0])
        .forecast(3)
        .map((p) => p.mean),
    ).toEqual([0, 0, 0]);
  });

  it.each([
    ['seasonal_naive', 3_600_000, 47, 'seasonal_naive needs at least 48 points of 1h history, got 47'],
    ['linear', 3_600_000, 40, 'linear needs at least 48 points of 1h history, got 40'],
    ['holt_winters', 3_600_000, 71, 'holt_winters needs at least 72 points of 1h history, got 71'],
    ['auto', 3_600_000, 10, 'auto needs at least 48 points of 1h history, got 10'],
    ['holt_winters', 86_400_000, 20, 'holt_winters needs at least 21 points of 1d history, got 20'],
    ['seasonal_naive', 60_000, 100, 'seasonal_naive needs at least 120 points of 1m history, got 100'],
  ] as const)('%s on a %d ms step refuses %d points, naming the minimum', (model, stepMs, length, message) => {
    const series = { start: START, stepMs, values: Array.from({ length }, (_, t) => 10 + (t % 5)) };
    const fit = () => FORECAST_MODELS[model].fit(series);
    expect(fit).toThrow(InsufficientHistoryError);
    expect(fit).toThrow(message);
  });

  it('does not count the missing windows before the first observed one', () => {
    const values = [...new Array<null>(30).fill(null), ...Array.from({ length: 47 }, (_, t) => 5 + (t % 3))];
    expect(() => FORECAST_MODELS.linear.fit(hourly(values))).toThrow('got 47');
    const fitted = FORECAST_MODELS.linear.fit(hourly([null, ...values, 5]));
    expect(fitted.origin).toBe(START + 79 * HOUR);
  });

  it('asks for periods on a step of no known granularity, and uses the given ones', () => {
    const values = Array.from({ length: 60 }, (_, t) => 10 + (t % 6));
    const odd = { start: START, stepMs: 15 * 60_000, values };
    expect(() => FORECAST_MODELS.seasonal_naive.fit(odd)).toThrow(RangeError);
    const fitted = FORECAST_MODELS.seasonal_naive.fit(odd, { periods: [6] });
    expect(fitted.forecast(6).map((p) => p.mean)).toEqual([10, 11, 12, 13, 14, 15]);
  });

  it('clips means and lower bounds at zero for a non-negative metric', () => {
    const low = hourly(
      shopValues({ length: 4 * 168, level: 5, daily: 8, noise: 3, seed: 9 }).map((v) => Math.max(0, v)),
    );
    const raw = FORECAST_MODELS.linear.fit(low).forecast(24);
    const clipped = FORECAST_MODELS.linear.fit(low, { nonNegative: true }).forecast(24);
    expect(raw.some((p) => p.intervals[1].lower < 0)).toBe(true);
    expect(clipped.every((p) => p.mean >= 0 && p.intervals.every((i) => i.lower >= 0))).toBe(true);
    clipped.forEach((p, i) =>
      expect(p.intervals[1].upper).toBe(Math.max(0, raw[i].mean) + (raw[i].intervals[1].upper - raw[i].mean)),
    );
  });

  it('widens the intervals by the square root of the horizon past the calibrated one', () => {
    const fitted = FORECAST_MODELS.holt_winters.fit(noisy, { calibration: { horizon: 24 } });
    const points = fitted.forecast(96, [0.9]);
    const half = (step: number) => points[step - 1].intervals[0].upper - points[step - 1].mean;
    expect(half(96) / half(24)).toBeCloseTo(2, 9);
    expect(half(54) / half(24)).toBeCloseTo(1.5, 9);
  });

  it('auto picks a model that beats the baseline on a seasonal series and reports every candidate', () => {
    const auto = fits.get('auto')!;
    expect(auto.scores.map((s) => s.model)).toEqual(MODEL_NAMES);
    const best = auto.scores.reduce((a, b) => (b.mase < a.mase ? b : a));
    expect(auto.model).toBe(best.model);
    expect(auto.model).not.toBe('seasonal_naive');
    expect(best.mase).toBeLessThan(auto.scores[0].mase);
  });

  it('auto compares only the models that leave room for four backtest origins', () => {
    const fitted = FORECAST_MODELS.auto.fit(hourly(shopValues({ ...spec, length: 100 })));
    expect(fitted.scores.map((s) => s.model)).toEqual(['seasonal_naive', 'linear']);
    // Origins 48, 50, .., 76 (the last forecast of 24 ends with the history): 15 of them.
    expect(fitted.scores.every((s) => s.points === 15 * 24)).toBe(true);
  });

  it('auto keeps the baseline, unscored, when the history leaves no room for a backtest', () => {
    const fitted = FORECAST_MODELS.auto.fit(hourly(shopValues({ ...spec, length: 60 })));
    expect(fitted.model).toBe('seasonal_naive');
    expect(fitted.scores).toEqual([]);
    expect(fitted.forecast(3)[2].intervals[1].upper).toBeGreaterThan(fitted.forecast(3)[2].mean);
  });

  it('continues from new windows on update, filling a missing one with its own forecast', () => {
    const clean = { length: 0, level: 200, slope: 1, daily: 50 };
    const values = Array.from({ length: 12 * 24 }, (_, t) => shopSignal(clean, t));
    for (const model of ['linear', 'holt_winters'] as const) {
      const fitted = FORECAST_MODELS[model].fit(hourly(values.slice(0, 240)));
      const next = values.slice(240, 264);
      const updated = fitted.update([...next.slice(0, 5), null, ...next.slice(6)]);
      expect(updated.origin).toBe(fitted.origin + DAY);
      updated.forecast(24).forEach((p, i) => expect(Math.abs(p.mean - values[264 + i])).toBeLessThan(1e-6));
    }
  });

  it('rejects a horizon or level it cannot honour', () => {
    const naive = fits.get('seasonal_naive')!;
    expect(() => naive.forecast(0)).toThrow(RangeError);
    expect(() => naive.forecast(2.5)).toThrow(RangeError);
    expect(() => naive.forecast(3, [1])).toThrow(RangeError);
  });
});
