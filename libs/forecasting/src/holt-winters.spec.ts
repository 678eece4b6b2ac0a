import { fitHoltWinters } from './holt-winters.js';
import { gaussian, shopSignal } from './synthetic-series.fixture.js';

describe('Holt-Winters', () => {
  it('recovers a linear trend and the daily season of a noise-free series', () => {
    const signal = (t: number) =>
      200 + 1.5 * t + 40 * Math.sin((2 * Math.PI * t) / 24) + 15 * Math.cos((8 * Math.PI * t) / 24);
    const values = Array.from({ length: 10 * 24 }, (_, t) => signal(t));
    const forecast = fitHoltWinters(values, [24, 168]).predict(48);
    forecast.forEach((value, i) => expect(Math.abs(value - signal(values.length + i))).toBeLessThan(1e-6));
  });

  it('recovers trend, day and weekend with the weekly period once three weeks are there', () => {
    const spec = { length: 0, level: 400, slope: 0.5, daily: 120, weekend: 80 };
    const values = Array.from({ length: 4 * 168 }, (_, t) => shopSignal(spec, t));
    const forecast = fitHoltWinters(values, [24, 168]).predict(168);
    forecast.forEach((value, i) => expect(Math.abs(value - shopSignal(spec, values.length + i))).toBeLessThan(1e-6));
  });

  it('follows a level shift within the day after it', () => {
    const spec = { length: 0, level: 400, daily: 120, shift: { at: 10 * 24, by: 300 } };
    const noise = gaussian(5);
    const values = Array.from({ length: 11 * 24 }, (_, t) => shopSignal(spec, t) + 5 * noise());
    const forecast = fitHoltWinters(values, [24, 168]).predict(24);
    const bias = forecast.reduce((sum, value, i) => sum + value - shopSignal(spec, values.length + i), 0) / 24;
    expect(Math.abs(bias)).toBeLessThan(30);
  });

  it('damps the trend of a noisy series that has none', () => {
    const noise = gaussian(21);
    const values = Array.from(
      { length: 6 * 168 },
      (_, t) => 500 + 50 * Math.sin((2 * Math.PI * t) / 24) + 30 * noise(),
    );
    const forecast = fitHoltWinters(values, [24, 168]).predict(336);
    const lastDay = forecast.slice(-24).reduce((sum, v) => sum + v, 0) / 24;
    expect(Math.abs(lastDay - 500)).toBeLessThan(15);
  });

  it('forecasts from the end of its history through forecastsAt what predict forecasts', () => {
    const noise = gaussian(2);
    const values = Array.from({ length: 300 }, (_, t) => 100 + 20 * Math.sin((2 * Math.PI * t) / 24) + 3 * noise());
    const model = fitHoltWinters(values, [24, 168]);
    expect(model.forecastsAt([300], 30)[0]).toEqual(model.predict(30));
  });

  it('continues its states over new windows instead of refitting', () => {
    const signal = (t: number) => 200 + 1.5 * t + 40 * Math.sin((2 * Math.PI * t) / 24);
    const values = Array.from({ length: 10 * 24 }, (_, t) => signal(t));
    const advanced = fitHoltWinters(values, [24, 168]).advance(Array.from({ length: 30 }, (_, i) => signal(240 + i)));
    advanced.predict(24).forEach((value, i) => expect(Math.abs(value - signal(270 + i))).toBeLessThan(1e-6));
  });
});
