import { fitLinear } from './linear-model.js';
import { gaussian } from './synthetic-series.fixture.js';

describe('linear model', () => {
  // Trend plus daily and weekly Fourier terms within the harmonics the model uses (3 per period).
  const signal = (t: number) =>
    50 +
    0.4 * t +
    30 * Math.sin((2 * Math.PI * t) / 24) +
    10 * Math.cos((6 * Math.PI * t) / 24) +
    20 * Math.sin((2 * Math.PI * t) / 168) +
    5 * Math.cos((4 * Math.PI * t) / 168);

  it('recovers trend, daily and weekly seasonality of a noise-free series two weeks ahead', () => {
    const values = Array.from({ length: 4 * 168 }, (_, t) => signal(t));
    const forecast = fitLinear(values, [24, 168]).predict(336);
    forecast.forEach((value, i) => expect(Math.abs(value - signal(values.length + i))).toBeLessThan(1e-6));
  });

  it('extrapolates a straight line', () => {
    const values = Array.from({ length: 100 }, (_, t) => 3 + 2 * t);
    const forecast = fitLinear(values, [24, 168]).predict(50);
    forecast.forEach((value, i) => expect(value).toBeCloseTo(3 + 2 * (100 + i), 6));
  });

  it('estimates the signal under Gaussian noise a week ahead to within a third of the noise', () => {
    const noise = gaussian(11);
    const values = Array.from({ length: 6 * 168 }, (_, t) => signal(t) + 25 * noise());
    const forecast = fitLinear(values, [24, 168]).predict(168);
    const mae = forecast.reduce((sum, value, i) => sum + Math.abs(value - signal(values.length + i)), 0) / 168;
    expect(mae).toBeLessThan(25 / 3);
  });

  it('refits its coefficients on the history before each earlier origin', () => {
    const values = Array.from({ length: 4 * 168 }, (_, t) => signal(t) + (t % 5));
    const model = fitLinear(values, [24, 168]);
    const [fromOrigin] = model.forecastsAt([400], 24);
    const refitted = fitLinear(values.slice(0, 400), [24, 168]);
    // Same features and data; only the λ chosen on each history's own tail may differ.
    fromOrigin.forEach((value, i) => expect(value).toBeCloseTo(refitted.predict(24)[i], 0));
  });

  it('reports in-sample residuals that vanish on a noise-free series', () => {
    const values = Array.from({ length: 400 }, (_, t) => signal(t));
    const model = fitLinear(values, [24, 168]);
    expect(model.residuals).toHaveLength(400);
    expect(Math.max(...model.residuals.map(Math.abs))).toBeLessThan(1e-6);
  });

  it('fits periods that share harmonics, such as 12 and 24 hours, without a singular system', () => {
    const shared = (t: number) =>
      10 + 0.1 * t + 4 * Math.sin((2 * Math.PI * t) / 12) + 3 * Math.cos((2 * Math.PI * t) / 24);
    const values = Array.from({ length: 240 }, (_, t) => shared(t));
    const forecast = fitLinear(values, [12, 24]).predict(48);
    forecast.forEach((value, i) => expect(Math.abs(value - shared(240 + i))).toBeLessThan(1e-6));
  });
});
