import fc from 'fast-check';

import { cleanEvent, normalizePriceMinor, normalizeTimestamp, pseudonymize } from './clean-event.js';

const context = { tenant: 'demo', partitions: 16, pseudonymKey: { id: 'k1', secret: 'test-secret-0123456789' } };
const base = { event_id: 'e-1', type: 'purchase', occurred_at: '2026-11-24T10:00:00.123Z' };

describe('normalizeTimestamp', () => {
  it.each([
    ['2026-11-24T10:00:00.123Z', 1795514400123],
    ['2026-11-24T11:00:00.123+01:00', 1795514400123],
    [1795514400123, 1795514400123],
    [1795514400, 1795514400000],
    ['1795514400', 1795514400000],
    ['1795514400.5', 1795514400500],
  ])('reads %p as %p ms', (input, expected) => {
    expect(normalizeTimestamp(input)).toBe(expected);
  });

  it.each(['yesterday', '', '-5', 0, -1, Number.NaN])('refuses %p', (input) => {
    expect(normalizeTimestamp(input as string | number)).toBeUndefined();
  });
});

describe('normalizePriceMinor', () => {
  it.each([
    ['12.50', 1250],
    ['12,5', 1250],
    ['0.015', 2],
    ['7', 700],
    [19.99, 1999],
    [0.1 + 0.2, 30],
  ])('turns %p into %p minor units', (input, expected) => {
    expect(normalizePriceMinor(input)).toBe(expected);
  });

  it.each(['-1', 'abc', '1.2.3', '', Number.POSITIVE_INFINITY])('refuses %p', (input) => {
    expect(normalizePriceMinor(input)).toBeUndefined();
  });

  it('is exact for every amount written with two decimals', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), (minor) => {
        const text = `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
        return normalizePriceMinor(text) === minor;
      }),
    );
  });
});

describe('cleanEvent', () => {
  it('normalizes casing, time, money and pseudonymizes the user', () => {
    const outcome = cleanEvent(
      {
        ...base,
        type: ' Purchase ',
        user_id: 'u-991',
        price: '12.50',
        quantity: '2',
        currency: 'gbp',
        country: 'gb',
        email: 'a@b.c',
        ip: '1.2.3.4',
      },
      context,
    );
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.event).toMatchObject({
      type: 'purchase',
      occurred_at: 1795514400123,
      price_minor: 1250,
      quantity: 2,
      currency: 'GBP',
      country: 'GB',
      user_key: pseudonymize('demo', 'u-991', context.pseudonymKey),
    });
    const serialized = JSON.stringify(outcome.event);
    for (const pii of ['u-991', 'a@b.c', '1.2.3.4']) expect(serialized).not.toContain(pii);
  });

  it('partitions by user, falling back to session then event id', () => {
    const a = cleanEvent({ ...base, user_id: 'u-1', session_id: 's-1' }, context);
    const b = cleanEvent({ ...base, event_id: 'e-2', user_id: 'u-1', session_id: 's-2' }, context);
    expect(a.ok && b.ok && a.event.partition === b.event.partition).toBe(true);
  });

  it.each([
    [{ type: 'teleport' }, 'unknown_type'],
    [{ occurred_at: 'soon' }, 'invalid_timestamp'],
    [{ quantity: '1.5' }, 'invalid_quantity'],
    [{ quantity: -2 }, 'invalid_quantity'],
    [{ price: 'free' }, 'invalid_price'],
  ])('routes %j to the DLQ as %s', (patch, reason) => {
    const outcome = cleanEvent({ ...base, ...patch }, context);
    expect(outcome).toMatchObject({ ok: false, reason });
  });

  it('gives different pseudonyms under different keys', () => {
    expect(pseudonymize('demo', 'u', { id: 'k1', secret: 'a'.repeat(16) })).not.toBe(
      pseudonymize('demo', 'u', { id: 'k1', secret: 'b'.repeat(16) }),
    );
  });
});
