import { decodeAlert, parseAlert, validateAlert } from './alert-validator.js';
import { alertId, type AlertV1 } from './alert.schema.js';

const HOUR = 3_600_000;
const W = Date.UTC(2026, 10, 2, 14);

const alert: AlertV1 = {
  v: 1,
  id: `shop-a:revenue:all:1h:${W}`,
  tenant: 'shop-a',
  metric: 'revenue',
  dimension: 'all',
  granularity: '1h',
  window_start: W,
  window_end: W + HOUR,
  severity: 'critical',
  direction: 'spike',
  actual: 189_170,
  expected: { mean: 74_120.6, lower: 68_650.2, upper: 79_591, level: 0.95 },
  score: 21.03,
  model: 'holt_winters',
  raised_at: W + HOUR + 370_000,
};

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('alertId', () => {
  const series = { tenant: 'shop-a', metric: 'revenue', dimension: 'product:SKU-1', granularity: '1h' } as const;

  it('identifies an alert by tenant, metric, dimension, granularity and window start', () => {
    expect(alertId(series, W)).toBe(`shop-a:revenue:product:SKU-1:1h:${W}`);
  });

  it('gives the same id to the same window however often it is judged, and another to the next window', () => {
    expect(alertId({ ...series }, W)).toBe(alertId(series, W));
    expect(alertId(series, W + HOUR)).not.toBe(alertId(series, W));
    expect(alertId({ ...series, tenant: 'shop-b' }, W)).not.toBe(alertId(series, W));
    expect(alertId({ ...series, granularity: '1m' }, W)).not.toBe(alertId(series, W));
  });
});

describe('the alert contract', () => {
  it('accepts the documented alert, and an infinite score written as null', () => {
    expect(parseAlert(alert)).toEqual(alert);
    expect(validateAlert({ ...alert, score: null })).toEqual({ ok: true, alert: { ...alert, score: null } });
  });

  it.each([
    ['v', { ...alert, v: 2 }],
    ['granularity', { ...alert, granularity: '5m' }],
    ['severity', { ...alert, severity: 'info' }],
    ['direction', { ...alert, direction: 'up' }],
    ['model', { ...alert, model: 'auto' }],
    ['window_start', { ...alert, window_start: W + 0.5 }],
    ['expected.lower', { ...alert, expected: { ...alert.expected, lower: '1' } }],
  ])('refuses a wrong %s, naming it', (field, candidate) => {
    expect(parseAlert(candidate)).toBeUndefined();
    const result = validateAlert(candidate);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason.startsWith(`${field}: `)).toBe(true);
  });

  it('refuses a missing field and a field it does not know', () => {
    const { raised_at: _dropped, ...withoutRaisedAt } = alert;
    expect(parseAlert(withoutRaisedAt)).toBeUndefined();
    expect(parseAlert({ ...alert, note: 'x' })).toBeUndefined();
    expect(parseAlert('alert')).toBeUndefined();
  });
});

describe('decodeAlert', () => {
  it('decodes an alert from the bytes on its tenant subject', () => {
    expect(decodeAlert(bytes(alert), 'pulse.alerts.shop-a')).toEqual(alert);
  });

  it('skips an alert naming another tenant than its subject, and bodies that are not alerts', () => {
    expect(decodeAlert(bytes(alert), 'pulse.alerts.shop-b')).toBeUndefined();
    expect(decodeAlert(new TextEncoder().encode('{not json'), 'pulse.alerts.shop-a')).toBeUndefined();
    expect(decodeAlert(bytes({ v: 1, id: 'x' }), 'pulse.alerts.shop-a')).toBeUndefined();
  });
});
