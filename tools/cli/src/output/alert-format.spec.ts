import { proto } from '@pulse/contracts';

import { ALERT_COLUMNS, alertCells, alertJsonLine, alertLine, enumLabel } from './alert-format.js';
import { renderTable } from './table.js';

const { AlertSeverity, AnomalyDirection, ForecastModel } = proto.pulse.forecast.v1;
const W = Date.UTC(2026, 10, 24, 9);
const ts = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

const alert: proto.pulse.forecast.v1.Alert = {
  id: `shop-a:revenue:all:1h:${W}`,
  metric: 'revenue',
  dimension: 'all',
  granularity: '1h',
  windowStart: ts(W),
  windowEnd: ts(W + 3_600_000),
  severity: AlertSeverity.ALERT_SEVERITY_CRITICAL,
  direction: AnomalyDirection.ANOMALY_DIRECTION_SPIKE,
  actual: 189_170,
  expected: { mean: 74_120.6, lower: 68_650.2, upper: 79_591, level: 0.95 },
  score: 21.03,
  model: ForecastModel.FORECAST_MODEL_HOLT_WINTERS,
  raisedAt: ts(W + 3_600_000 + 370_000),
  streamSequence: 7,
};

describe('alert output', () => {
  it('shows an alert as raised time, window, series, severity, direction, actual against the interval, score and model', () => {
    expect(alertCells(alert)).toEqual([
      '2026-11-24 10:06',
      '2026-11-24 09:00',
      'revenue all 1h',
      'critical',
      'spike',
      '189,170',
      '74,121',
      '68,650 … 79,591',
      '21.0',
      'holt-winters',
    ]);
  });

  it('shows an infinite score (a departure from an all-zero forecast) as ∞ and a day window as its date', () => {
    const cells = alertCells({ ...alert, granularity: '1d', windowStart: ts(Date.UTC(2026, 10, 24)), score: Infinity });
    expect(cells[1]).toBe('2026-11-24');
    expect(cells[8]).toBe('∞');
  });

  it('pads a --follow line to fixed column widths, so lines printed one by one line up under the header', () => {
    const header = alertLine(ALERT_COLUMNS.map((column) => column.header));
    const line = alertLine(alertCells(alert));
    expect(header.indexOf('severity')).toBe(line.indexOf('critical'));
    expect(header.indexOf('model')).toBe(line.indexOf('holt-winters'));
    // Right-aligned columns end where their header ends.
    expect(header.indexOf('actual') + 'actual'.length).toBe(line.indexOf('189,170') + '189,170'.length);
  });

  it('lists alerts as a table with a header', () => {
    const table = renderTable(ALERT_COLUMNS, [alertCells(alert)]).split('\n');
    expect(table).toHaveLength(2);
    expect(table[0]).toMatch(/^raised \(UTC\)\s+window \(UTC\)\s+series\s+severity/);
    expect(table[1]).toMatch(/^2026-11-24 10:06\s+2026-11-24 09:00\s+revenue all 1h\s+critical\s+spike/);
  });

  it('writes one JSON object per line with ISO times and proto3 names, an infinite score as null', () => {
    const line = alertJsonLine(alert);
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toMatchObject({
      id: alert.id,
      windowStart: '2026-11-24T09:00:00.000Z',
      raisedAt: '2026-11-24T10:06:10.000Z',
      severity: 'ALERT_SEVERITY_CRITICAL',
      streamSequence: 7,
    });
    expect(JSON.parse(alertJsonLine({ ...alert, score: Infinity })).score).toBeNull();
  });

  it('names enum values without their prefix', () => {
    expect(enumLabel('ANOMALY_DIRECTION_DROP', 'ANOMALY_DIRECTION_')).toBe('drop');
    expect(enumLabel('FORECAST_MODEL_SEASONAL_NAIVE', 'FORECAST_MODEL_')).toBe('seasonal-naive');
  });
});
