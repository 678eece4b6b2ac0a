import { classify } from './anomaly-classifier.js';
import { type ForecastPoint } from './fitted-model.js';
import { FORECAST_MODELS } from './forecast-models.js';
import { hourly, shopValues, START } from './synthetic-series.fixture.js';

function point(mean: number, bands: Record<number, [number, number]>): ForecastPoint {
  return {
    t: START,
    mean,
    intervals: Object.entries(bands).map(([level, [lower, upper]]) => ({ level: Number(level), lower, upper })),
  };
}

describe('classify', () => {
  const forecast = point(100, { 0.8: [90, 110], 0.95: [80, 120] });

  it('calls inside the 95% band and not far outside it normal', () => {
    expect(classify(115, forecast)).toMatchObject({ anomalous: false, score: 0.75 });
    expect(classify(125, forecast)).toMatchObject({ anomalous: false, score: 1.25 });
    expect(classify(65, forecast)).toMatchObject({ anomalous: false, score: 1.75 });
    expect(classify(100, forecast)).toMatchObject({ anomalous: false, score: 0 });
  });

  it('warns beyond 1.75 and calls critical beyond 2.5 half-widths of the 95% band, in either direction', () => {
    expect(classify(136, forecast)).toMatchObject({ anomalous: true, severity: 'warning', direction: 'spike' });
    expect(classify(150, forecast)).toMatchObject({ anomalous: true, severity: 'warning', direction: 'spike' });
    expect(classify(151, forecast)).toMatchObject({ anomalous: true, severity: 'critical', direction: 'spike' });
    expect(classify(64, forecast)).toMatchObject({ anomalous: true, severity: 'warning', direction: 'drop' });
    expect(classify(49, forecast)).toMatchObject({ anomalous: true, severity: 'critical', direction: 'drop' });
  });

  it('reports the expected range of the rule level', () => {
    expect(classify(150, forecast).expected).toEqual({ level: 0.95, lower: 80, upper: 120 });
  });

  it('takes any departure from a zero-width forecast as critical', () => {
    const zero = point(0, { 0.8: [0, 0], 0.95: [0, 0] });
    expect(classify(0, zero)).toMatchObject({ anomalous: false, score: 0 });
    expect(classify(1, zero)).toMatchObject({ anomalous: true, severity: 'critical', direction: 'spike' });
  });

  it('measures a drop against the upper side when the lower bound was clipped at zero', () => {
    // Unclipped the band would reach down to 7: a drop to 0 is 10 / 3 half-widths away, not 1.
    const clipped = point(10, { 0.95: [0, 13] });
    expect(classify(0, clipped)).toMatchObject({ anomalous: true, severity: 'critical', direction: 'drop' });
    expect(classify(0, clipped).score).toBeCloseTo(10 / 3, 12);
  });

  it('follows a custom rule and refuses a point without the rule level', () => {
    expect(classify(112, forecast, { level: 0.8, warningRatio: 1.1, criticalRatio: 3 })).toMatchObject({
      anomalous: true,
      severity: 'warning',
    });
    expect(() => classify(1, point(0, { 0.8: [-1, 1] }))).toThrow(RangeError);
  });
});

describe('anomalies in a simulated stream, checked window by window against one-step forecasts', () => {
  const spec = { level: 500, slope: 0.3, daily: 200, weekend: 100, noise: 40 };
  const HISTORY = 8 * 168;

  /** Walks a week past the history: forecast one window, classify its actual, move on. */
  function watchWeek(seed: number, inject: (t: number, actual: number) => number) {
    const values = shopValues({ ...spec, length: HISTORY + 168, seed });
    let model = FORECAST_MODELS.auto.fit(hourly(values.slice(0, HISTORY)), { nonNegative: true });
    const alerts: { t: number; verdict: ReturnType<typeof classify> }[] = [];
    for (let t = HISTORY; t < HISTORY + 168; t += 1) {
      const [next] = model.forecast(1);
      const actual = inject(t, values[t]);
      const verdict = classify(actual, next);
      if (verdict.anomalous) alerts.push({ t, verdict });
      // An anomalous actual is not taught to the model: its forecast stands in for it.
      model = model.update([verdict.anomalous ? next.mean : actual]);
    }
    return alerts;
  }

  it('raises at most one false alert in a clean week', () => {
    expect(watchWeek(31, (_, actual) => actual).length).toBeLessThanOrEqual(1);
  });

  it('flags an injected spike and an injected drop in the window they happen', () => {
    const spike = HISTORY + 30;
    const drop = HISTORY + 100;
    const alerts = watchWeek(32, (t, actual) => (t === spike ? actual + 300 : t === drop ? actual * 0.4 : actual));
    expect(alerts.find((a) => a.t === spike)?.verdict).toMatchObject({ anomalous: true, direction: 'spike' });
    expect(alerts.find((a) => a.t === drop)?.verdict).toMatchObject({ anomalous: true, direction: 'drop' });
    expect(alerts.filter((a) => a.t !== spike && a.t !== drop).length).toBeLessThanOrEqual(1);
  });
});
