import { FORECAST_MODELS, type FittedModel } from '@pulse/forecasting';

import { checkWindow, isSettled } from './series-watch.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 8, 7);

/** A clean daily pattern (no noise beyond a small fixed wobble): level 500, amplitude 200. */
function shape(i: number): number {
  return 500 + 200 * Math.sin((2 * Math.PI * (i % 24)) / 24) + 10 * Math.sin(i * 1.7);
}

function fitted(windows = 24 * 21): FittedModel {
  const values = Array.from({ length: windows }, (_, i) => shape(i));
  return FORECAST_MODELS.auto.fit({ start: T0, stepMs: HOUR, values }, { nonNegative: true });
}

describe('checking a closed window against its forecast', () => {
  const model = fitted();
  const next = 24 * 21;

  it('finds a normal window normal and moves the model past it with the actual', () => {
    const check = checkWindow(model, shape(next));
    expect(check.verdict?.anomalous).toBe(false);
    expect(check.next.origin).toBe(model.origin + HOUR);
    expect(check.next.forecast(1)[0].mean).toBeCloseTo(model.update([shape(next)]).forecast(1)[0].mean, 9);
  });

  it('flags a spike as critical and moves the model with the forecast mean, not the spike', () => {
    const check = checkWindow(model, shape(next) + 2_000);
    expect(check.verdict).toMatchObject({ anomalous: true, severity: 'critical', direction: 'spike' });
    const withMean = model.update([check.point.mean]).forecast(3);
    expect(check.next.forecast(3).map((p) => p.mean)).toEqual(withMean.map((p) => p.mean));
  });

  it('flags a drop to a fraction of the forecast', () => {
    const check = checkWindow(model, shape(next) * 0.3);
    expect(check.verdict).toMatchObject({ anomalous: true, direction: 'drop' });
  });

  it('judges nothing in a window without an actual and moves the model with its own forecast', () => {
    const check = checkWindow(model, undefined);
    expect(check.verdict).toBeUndefined();
    expect(check.next.origin).toBe(model.origin + HOUR);
  });

  it('forecasts with the 95% interval the anomaly rule measures against', () => {
    expect(checkWindow(model, shape(next)).point.intervals.map((i) => i.level)).toEqual([0.95]);
  });
});

describe('whether a closed window can be judged', () => {
  const closesAt = T0 + HOUR + 310_000;

  it('judges a final point, and a window without any point, as soon as it closed', () => {
    expect(isSettled({ start: T0, value: 1, closed: true }, closesAt, closesAt, 900_000)).toBe(true);
    expect(isSettled(undefined, closesAt, closesAt, 900_000)).toBe(true);
  });

  it('waits for a point that is not final yet, up to the close wait', () => {
    const live = { start: T0, value: 1, closed: false };
    expect(isSettled(live, closesAt, closesAt + 899_999, 900_000)).toBe(false);
    expect(isSettled(live, closesAt, closesAt + 900_000, 900_000)).toBe(true);
  });
});
