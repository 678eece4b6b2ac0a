import { minimumHistory } from './minimum-history.js';
import { fourierPeriods, naivePeriod, primaryPeriod } from './seasonal-periods.js';
import { granularityOf, seasonalPeriods } from './time-series.js';

describe('seasonal periods', () => {
  it('looks for the day and the week in hourly series, the week in daily ones, the hour and the day in minutes', () => {
    expect(seasonalPeriods('1h')).toEqual([24, 168]);
    expect(seasonalPeriods('1d')).toEqual([7]);
    expect(seasonalPeriods('1m')).toEqual([60, 1440]);
  });

  it('maps a window length back to its granularity', () => {
    expect(granularityOf(3_600_000)).toBe('1h');
    expect(granularityOf(86_400_000)).toBe('1d');
    expect(granularityOf(60_000)).toBe('1m');
    expect(granularityOf(90_000)).toBeUndefined();
  });

  it('gives seasonal naive the week only once the history covers it twice', () => {
    expect(naivePeriod([24, 168], 335)).toBe(24);
    expect(naivePeriod([24, 168], 336)).toBe(168);
    expect(naivePeriod([24, 168], 30)).toBe(24);
  });

  it('gives Holt-Winters the week only once the history covers it three times', () => {
    expect(primaryPeriod([24, 168], 503)).toBe(24);
    expect(primaryPeriod([24, 168], 504)).toBe(168);
  });

  it('gives the linear model Fourier terms of every period covered twice, at least the shortest', () => {
    expect(fourierPeriods([168, 24], 400)).toEqual([24, 168]);
    expect(fourierPeriods([24, 168], 100)).toEqual([24]);
    expect(fourierPeriods([24, 168], 30)).toEqual([24]);
  });

  it('needs two shortest seasons of history, three for Holt-Winters', () => {
    const table = (['1m', '1h', '1d'] as const).map((granularity) =>
      (['seasonal_naive', 'linear', 'holt_winters', 'auto'] as const).map((model) =>
        minimumHistory(model, seasonalPeriods(granularity)),
      ),
    );
    expect(table).toEqual([
      [120, 120, 180, 120],
      [48, 48, 72, 48],
      [14, 14, 21, 14],
    ]);
  });
});
