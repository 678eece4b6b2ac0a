import { validateRawEvent } from '@pulse/contracts';

import { applicableDirt, applyDirt } from './event-dirt.js';
import { SeededRandom } from './seeded-random.js';
import { MARKETS } from './shop-markets.js';
import { FIXABLE_DIRT, UNUSABLE_DIRT, type ExpectedClean, type WireEvent } from './simulated-event.js';

const AT = Date.UTC(2026, 10, 24, 10, 0, 0, 123);
const purchase: WireEvent = {
  event_id: 'e-1',
  type: 'purchase',
  occurred_at: new Date(AT).toISOString(),
  session_id: 's-1',
  product_id: 'SKU-00001',
  category: 'home & kitchen',
  quantity: 1,
  price: '12.99',
  currency: 'GBP',
  order_id: 'o-1',
};
const expected: ExpectedClean = {
  type: 'purchase',
  occurredAt: AT,
  sessionId: 's-1',
  productId: 'SKU-00001',
  category: 'home & kitchen',
  quantity: 1,
  currency: 'GBP',
  priceMinor: 1299,
  amountMinor: 1299,
  orderId: 'o-1',
};
const GB = MARKETS[0];

describe('applyDirt', () => {
  it.each([
    ['comma_decimal_price', { price: '12,99' }],
    ['epoch_millis_number', { occurred_at: AT }],
    ['currency_case', { currency: ' gbp ' }],
    ['quantity_text', { quantity: '1.0' }],
    ['category_case', { category: '  Home & Kitchen\t' }],
  ] as const)('%s spells a field the way a shop might, and the clean reading stays the same', (kind, change) => {
    const dirty = applyDirt(kind, purchase, expected, new SeededRandom(1));
    expect(dirty.event).toEqual({ ...purchase, ...change });
    expect(dirty.expected).toEqual(expected);
    expect(dirty.rejectedBy).toBeUndefined();
  });

  it('epoch_seconds sends whole seconds, so the expected time loses its milliseconds', () => {
    const dirty = applyDirt('epoch_seconds', purchase, expected, new SeededRandom(1));
    expect(dirty.event.occurred_at).toBe(Math.floor(AT / 1000));
    expect(dirty.expected?.occurredAt).toBe(AT - 123);
  });

  it('offset_timestamp sends the same instant with a positive UTC offset', () => {
    const dirty = applyDirt('offset_timestamp', purchase, expected, new SeededRandom(1));
    expect(String(dirty.event.occurred_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0\d:00$/);
    expect(Date.parse(String(dirty.event.occurred_at))).toBe(AT);
  });

  it('type_spelling folds back to the type (case, separators, camelCase)', () => {
    const random = new SeededRandom(2);
    for (let i = 0; i < 50; i += 1) {
      const cart = { ...expected, type: 'add_to_cart' as const };
      const spelled = String(applyDirt('type_spelling', { ...purchase, type: 'add_to_cart' }, cart, random).event.type);
      const folded = spelled
        .trim()
        .replace(/([a-z])([A-Z])/g, '$1_$2')
        .replace(/[-\s]/g, '_')
        .toLowerCase();
      expect(folded).toBe('add_to_cart');
    }
  });

  it('missing_quantity drops a quantity of 1, which the cleaner imputes', () => {
    const dirty = applyDirt('missing_quantity', purchase, expected, new SeededRandom(1));
    expect(dirty.event).not.toHaveProperty('quantity');
    expect(dirty.expected?.quantity).toBe(1);
  });

  it.each([
    ['unknown_type', 'unknown_type'],
    ['invalid_timestamp', 'invalid_timestamp'],
    ['negative_quantity', 'invalid_quantity'],
    ['unknown_currency', 'unknown_currency'],
    ['missing_price', 'missing_price'],
    ['invalid_price', 'invalid_price'],
  ] as const)('%s passes the gateway and is dead-lettered by the cleaner as %s', (kind, reason) => {
    const dirty = applyDirt(kind, purchase, expected, new SeededRandom(1));
    expect(validateRawEvent(dirty.event).ok).toBe(true);
    expect(dirty).toEqual(expect.objectContaining({ rejectedBy: 'cleaner', dlqReason: reason }));
    expect(dirty.expected).toBeUndefined();
  });

  it('missing_type is rejected by the gateway itself', () => {
    const dirty = applyDirt('missing_type', purchase, expected, new SeededRandom(1));
    expect(validateRawEvent(dirty.event).ok).toBe(false);
    expect(dirty.rejectedBy).toBe('gateway');
  });

  it('never changes the event it was given', () => {
    const before = structuredClone(purchase);
    for (const kind of [...FIXABLE_DIRT, ...UNUSABLE_DIRT]) applyDirt(kind, purchase, expected, new SeededRandom(3));
    expect(purchase).toEqual(before);
  });
});

describe('applicableDirt', () => {
  it('offers money and quantity dirt only where the event has those fields', () => {
    const view: WireEvent = { event_id: 'v', type: 'page_view', occurred_at: 'x' };
    expect(applicableDirt(view, 'unusable', GB)).toEqual(['missing_type', 'unknown_type', 'invalid_timestamp']);
    expect(applicableDirt(view, 'fixable', GB)).not.toContain('comma_decimal_price');
    expect(applicableDirt(purchase, 'unusable', GB)).toContain('missing_price');
    expect(applicableDirt(purchase, 'fixable', GB)).toContain('comma_decimal_price');
  });

  it('never writes a comma decimal for a currency without two decimals (JPY "1,300" would be ambiguous)', () => {
    const japan = MARKETS.find((m) => m.currency === 'JPY');
    expect(japan).toBeDefined();
    if (japan)
      expect(applicableDirt({ ...purchase, price: '1300', currency: 'JPY' }, 'fixable', japan)).not.toContain(
        'comma_decimal_price',
      );
  });
});
