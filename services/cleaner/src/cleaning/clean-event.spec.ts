import { CleanEventV1Schema, EVENT_TYPES, partitionOf } from '@pulse/contracts';

import { Ajv } from 'ajv';
import fc from 'fast-check';

import { cleanEvent, cleanRawEvent, type CleaningContext } from './clean-event.js';
import { parseRateTable, type RateTable } from './exchange-rates.js';

const NOW = 1_795_514_400_000; // 2026-11-24T10:00:00Z
const K1 = { id: 'k1', secret: 'test-secret-0123456789' };

function rateTable(): RateTable {
  const parsed = parseRateTable({ quote: 'EUR', rates: { EUR: '1', GBP: '1.14', USD: '0.867', JPY: '0.00564' } });
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.table;
}

const context: CleaningContext = {
  tenant: 'demo',
  partitions: 16,
  now: NOW,
  maxFutureSkewMs: 86_400_000,
  keyring: { active: K1, keys: new Map([['k1', K1]]) },
  baseCurrency: 'EUR',
  rates: rateTable(),
};
const base = { event_id: 'e-1', occurred_at: '2026-11-24T09:00:00Z' };
const purchase = { ...base, type: 'purchase', price: '12.50', currency: 'GBP', quantity: 2, order_id: 'o-1' };
const validateClean = new Ajv({ strict: false }).compile(CleanEventV1Schema);

function clean(raw: object, overrides: Partial<CleaningContext> = {}) {
  const outcome = cleanRawEvent(raw, { ...context, ...overrides });
  if (!outcome.ok) throw new Error(`expected a clean event, got ${outcome.reason}: ${outcome.detail}`);
  return outcome.event;
}

describe('cleanEvent', () => {
  it('cleans a purchase end to end: every normalizer, conversion, pseudonym and partition', () => {
    const event = clean({
      event_id: 'o-555-1',
      type: ' Purchase ',
      occurred_at: '2026-11-24T10:00:00.123+01:00',
      user_id: 17850,
      session_id: ' s-17 ',
      product_id: '85123A',
      category: ' Home & Kitchen ',
      quantity: '2.0',
      price: '12,50',
      currency: 'gbp',
      order_id: '536365.0',
      country: 'United Kingdom',
      channel: 'Web',
      email: 'jane@example.com',
      ip: '203.0.113.77',
      user_agent: 'Mozilla/5.0',
    });
    expect(event).toEqual({
      v: 1,
      tenant: 'demo',
      event_id: 'o-555-1',
      type: 'purchase',
      occurred_at: NOW - 3_600_000 + 123,
      user_key: 'k1:c3117f5914539989c56d1cebb795a320', // HMAC reference from Python (privacy.spec.ts)
      session_id: 's-17',
      product_id: '85123A',
      category: 'home & kitchen',
      quantity: 2,
      currency: 'GBP',
      price_minor: 1250,
      amount_minor: 2500,
      base_currency: 'EUR',
      price_base_minor: 1425, // 12.50 × 1.14
      amount_base_minor: 2850, // 25.00 × 1.14
      order_id: '536365',
      country: 'GB',
      channel: 'web',
      ip_prefix: '203.0.113.0/24',
      partition: partitionOf('demo', '17850', 16),
    });
    expect(validateClean(event)).toBe(true);
  });

  it('cleaning.md row 20: a purchase or refund without a price goes to the DLQ as missing_price', () => {
    for (const type of ['purchase', 'refund']) {
      const { price: _price, ...withoutPrice } = { ...purchase, type };
      expect(cleanRawEvent(withoutPrice, context)).toMatchObject({ ok: false, reason: 'missing_price' });
    }
  });

  it('cleaning.md row 21: price and quantity are ignored on page_view and checkout, even when invalid', () => {
    for (const type of ['page_view', 'checkout']) {
      const event = clean({ ...base, type, price: 'free', quantity: -3, currency: 'EURO' });
      expect(event).not.toHaveProperty('price_minor');
      expect(event).not.toHaveProperty('quantity');
      expect(event).not.toHaveProperty('currency');
    }
  });

  it('cleaning.md row 21: a product view keeps a valid unit price but has no quantity or line amount', () => {
    const event = clean({ ...base, type: 'product_view', price: '9.99', quantity: 5 });
    expect(event).toMatchObject({ price_minor: 999, currency: 'EUR', price_base_minor: 999 });
    expect(event).not.toHaveProperty('quantity');
    expect(event).not.toHaveProperty('amount_minor');
  });

  it('cleaning.md row 24: a price without currency is in the tenant base currency, marked imputed', () => {
    const { currency: _currency, ...noCurrency } = purchase;
    expect(clean(noCurrency)).toMatchObject({
      currency: 'EUR',
      price_minor: 1250,
      amount_minor: 2500,
      base_currency: 'EUR',
      amount_base_minor: 2500,
      imputed: ['currency'],
    });
    expect(clean(noCurrency, { baseCurrency: 'JPY' })).toMatchObject({
      currency: 'JPY',
      price_minor: 13, // 12.50 in a zero-decimal currency rounds half up
      amount_minor: 26,
      imputed: ['currency'],
    });
  });

  it('cleaning.md row 27: an event whose currency has no rate goes to the DLQ as missing_rate', () => {
    expect(cleanRawEvent({ ...purchase, currency: 'THB' }, context)).toMatchObject({
      ok: false,
      reason: 'missing_rate',
      detail: expect.stringContaining('THB'),
    });
    expect(cleanRawEvent(purchase, { ...context, baseCurrency: 'CHF' })).toMatchObject({ reason: 'missing_rate' });
  });

  it('cleaning.md row 30: a cart, purchase or refund line without quantity is one unit, marked imputed', () => {
    for (const type of ['add_to_cart', 'remove_from_cart', 'purchase', 'refund']) {
      const { quantity: _quantity, ...oneUnit } = { ...purchase, type };
      expect(clean(oneUnit)).toMatchObject({ quantity: 1, amount_minor: 1250, imputed: ['quantity'] });
    }
  });

  it('cleaning.md row 31: quantity is ignored on page_view, product_view and checkout', () => {
    for (const type of ['page_view', 'product_view', 'checkout']) {
      expect(clean({ ...base, type, quantity: '1.5' })).not.toHaveProperty('quantity');
    }
  });

  it('cleaning.md row 29: a fractional or negative quantity on a line event goes to the DLQ as invalid_quantity', () => {
    expect(cleanRawEvent({ ...purchase, quantity: '1.5' }, context)).toMatchObject({ reason: 'invalid_quantity' });
    expect(cleanRawEvent({ ...purchase, type: 'refund', quantity: -1 }, context)).toMatchObject({
      reason: 'invalid_quantity',
    });
  });

  it('cleaning.md row 32: the line amount is price × quantity, converted once (not unit price × quantity)', () => {
    // 3 × 0.01 GBP = 0.03 GBP → 0.0342 EUR → 3 minor; per unit 0.0114 → 1 minor, × 3 would be 3 too, so use 7 units:
    // 7 × 0.01 GBP = 0.07 GBP → 0.0798 EUR → 8 minor, while 7 × round(0.0114) = 7.
    expect(clean({ ...purchase, price: '0.01', quantity: 7 })).toMatchObject({
      price_minor: 1,
      amount_minor: 7,
      price_base_minor: 1,
      amount_base_minor: 8,
    });
  });

  it('refuses, as invalid_price, a line whose amount or converted amount leaves the safe-integer range', () => {
    const huge = { ...purchase, currency: 'EUR', price: '90071992547409.91', quantity: 2 };
    expect(cleanRawEvent(huge, context)).toMatchObject({
      reason: 'invalid_price',
      detail: expect.stringContaining('×'),
    });
    const convertsTooLarge = { ...purchase, currency: 'EUR', price: '90071992547409.91', quantity: 1 };
    expect(cleanRawEvent(convertsTooLarge, { ...context, baseCurrency: 'JPY' })).toMatchObject({
      reason: 'invalid_price',
      detail: expect.stringContaining('converted'),
    });
  });

  it('cleaning.md row 36: the event id is kept exactly as sent (it is the gateway’s dedup key)', () => {
    expect(clean({ ...purchase, event_id: ' E-1.0 ' }).event_id).toBe(' E-1.0 ');
  });

  it('cleaning.md row 37: a purchase without order_id is kept, without an order id', () => {
    const { order_id: _orderId, ...noOrder } = purchase;
    const event = clean(noOrder);
    expect(event).toMatchObject({ type: 'purchase', amount_minor: 2500 });
    expect(event).not.toHaveProperty('order_id');
  });

  it('cleaning.md row 37: order_id is kept on checkout, purchase and refund only', () => {
    expect(clean({ ...base, type: 'checkout', order_id: 'o-1' }).order_id).toBe('o-1');
    expect(clean({ ...base, type: 'page_view', order_id: 'o-1' })).not.toHaveProperty('order_id');
  });

  it('cleaning.md row 38: product and category are kept on line events only', () => {
    const line = clean({ ...base, type: 'add_to_cart', product_id: 'SKU-1', category: 'Toys' });
    expect(line).toMatchObject({ product_id: 'SKU-1', category: 'toys' });
    const page = clean({ ...base, type: 'page_view', product_id: 'SKU-1', category: 'Toys' });
    expect(page).not.toHaveProperty('product_id');
    expect(page).not.toHaveProperty('category');
  });

  it('cleaning.md row 50: e-mail, phone, name, address, user agent, attributes and unknown fields never leave', () => {
    const event = clean({
      ...purchase,
      email: 'jane@example.com',
      phone: '+44 20 7946 0958',
      name: 'Jane Doe',
      address: '1 High Street',
      user_agent: 'Mozilla/5.0 (X11)',
      attributes: { note: 'gift for Jane', size: 42 },
      loyalty_card: '6338-1234',
    });
    const allowed = Object.keys(CleanEventV1Schema.properties);
    for (const key of Object.keys(event)) expect(allowed).toContain(key);
    const text = JSON.stringify(event);
    for (const value of ['jane', 'Jane', '7946', 'High Street', 'Mozilla', 'gift', '6338']) {
      expect(text).not.toContain(value);
    }
  });

  it('cleaning.md row 51: partitions by the normalized user id, then session, then event id — not by pseudonym', () => {
    const k2 = { id: 'k2', secret: 'another-secret-0123456' };
    const a = clean({ ...purchase, user_id: '17850.0' });
    const b = clean(
      { ...purchase, user_id: 17850, event_id: 'e-2' },
      { keyring: { active: k2, keys: new Map([['k2', k2]]) } },
    );
    expect(a.partition).toBe(partitionOf('demo', '17850', 16));
    expect(b.partition).toBe(a.partition);
    expect(b.user_key).not.toBe(a.user_key);
    expect(clean({ ...base, type: 'page_view', session_id: 's-9' }).partition).toBe(partitionOf('demo', 's-9', 16));
    expect(clean({ ...base, type: 'page_view', event_id: 'e-77' }).partition).toBe(partitionOf('demo', 'e-77', 16));
  });

  it('cleaning.md row 55: a body that is not structurally an event goes to the DLQ as schema_violation', () => {
    expect(cleanRawEvent({ type: 'purchase', occurred_at: NOW }, context)).toMatchObject({
      ok: false,
      reason: 'schema_violation',
      detail: expect.stringContaining('event_id'),
    });
    expect(cleanRawEvent([1, 2], context)).toMatchObject({ reason: 'schema_violation' });
  });

  it('never echoes an e-mail address in a DLQ detail', () => {
    const outcome = cleanRawEvent({ ...purchase, price: 'jane@example.com' }, context);
    expect(outcome).toMatchObject({ ok: false, reason: 'invalid_price' });
    expect(JSON.stringify(outcome)).not.toContain('jane');
  });

  it('produces only events that match CleanEventV1Schema, for any mix of raw fields', () => {
    const field = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.constant(undefined));
    fc.assert(
      fc.property(
        fc.record({
          event_id: fc.string({ minLength: 1, maxLength: 20 }),
          type: fc.constantFrom(...EVENT_TYPES, 'Add-To-Cart', 'PURCHASE'),
          occurred_at: fc.oneof(fc.integer({ min: 946_684_800_000, max: NOW }), fc.constant('2026-11-24T09:00:00Z')),
          user_id: field,
          session_id: field,
          product_id: field,
          quantity: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom('2', '2.0', '1.5')),
          price: fc.oneof(fc.constantFrom('12.50', '12,50', '1.234,50', '-1'), fc.double({ min: 0, max: 1e6 })),
          currency: fc.constantFrom('GBP', 'eur', ' usd ', 'JPY', 'XAU'),
          country: fc.constantFrom('UK', 'EIRE', 'Channel Islands', 'gbr', 'xx'),
          channel: fc.constantFrom('Web', 'Mobile App', '???'),
          ip: fc.oneof(fc.ipV4(), fc.ipV6()),
        }),
        (raw) => {
          const defined = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined));
          const outcome = cleanRawEvent(defined, context);
          if (outcome.ok) expect(validateClean(outcome.event)).toBe(true);
        },
      ),
    );
  });
});

describe('cleanEvent on a validated event', () => {
  it('is the same function cleanRawEvent applies after the structural check', () => {
    expect(cleanEvent({ ...base, type: 'page_view' }, context)).toEqual(
      cleanRawEvent({ ...base, type: 'page_view' }, context),
    );
  });
});
