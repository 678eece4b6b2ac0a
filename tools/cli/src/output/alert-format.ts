import { type proto } from '@pulse/contracts';

import { formatCount, formatWindow, toJson } from './format.js';
import { type Column } from './table.js';

type Alert = proto.pulse.forecast.v1.Alert;
type Timestamp = proto.google.protobuf.Timestamp;

/** Columns of an alert line, with the widths `--follow` pads to (a table pads to its widest cell). */
export const ALERT_COLUMNS: ReadonlyArray<Column & { width: number }> = [
  { header: 'raised (UTC)', width: 16 },
  { header: 'window (UTC)', width: 16 },
  { header: 'series', width: 22 },
  { header: 'severity', width: 8 },
  { header: 'direction', width: 9 },
  { header: 'actual', align: 'right', width: 9 },
  { header: 'expected', align: 'right', width: 9 },
  { header: '95% interval', align: 'right', width: 19 },
  { header: 'score', align: 'right', width: 5 },
  { header: 'model', width: 14 },
];

const ms = (value: Timestamp | undefined) => (value ? value.seconds * 1000 + Math.floor(value.nanos / 1e6) : 0);

/** `ALERT_SEVERITY_CRITICAL` → `critical`, `FORECAST_MODEL_HOLT_WINTERS` → `holt-winters`. */
export function enumLabel(value: string, prefix: string): string {
  return value.startsWith(prefix) ? value.slice(prefix.length).toLowerCase().replace(/_/g, '-') : value.toLowerCase();
}

/** The cells of one alert, in ALERT_COLUMNS order. */
export function alertCells(alert: Alert): string[] {
  const start = ms(alert.windowStart);
  const day = alert.granularity === '1d';
  const expected = alert.expected ?? { mean: 0, lower: 0, upper: 0, level: 0.95 };
  return [
    formatWindow(ms(alert.raisedAt), false),
    formatWindow(start, day),
    `${alert.metric} ${alert.dimension} ${alert.granularity}`,
    enumLabel(String(alert.severity), 'ALERT_SEVERITY_'),
    enumLabel(String(alert.direction), 'ANOMALY_DIRECTION_'),
    formatCount(alert.actual),
    formatCount(expected.mean),
    `${formatCount(expected.lower)} … ${formatCount(expected.upper)}`,
    Number.isFinite(alert.score) ? alert.score.toFixed(1) : '∞',
    enumLabel(String(alert.model), 'FORECAST_MODEL_'),
  ];
}

/** One alert as a line padded to the columns' widths (for `--follow`, where rows come one by one). */
export function alertLine(cells: readonly string[]): string {
  return ALERT_COLUMNS.map((column, i) => {
    const cell = cells[i] ?? '';
    return column.align === 'right' ? cell.padStart(column.width) : cell.padEnd(column.width);
  })
    .join('  ')
    .trimEnd();
}

/** One alert as one line of JSON (NDJSON for `--follow --json`): proto3 names, ISO times, score null when infinite. */
export function alertJsonLine(alert: Alert): string {
  return JSON.stringify(toJson(alert));
}
