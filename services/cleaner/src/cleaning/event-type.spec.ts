import { EVENT_TYPES } from '@pulse/contracts';

import fc from 'fast-check';

import { normalizeEventType } from './event-type.js';

describe('normalizeEventType', () => {
  it.each([
    ['Add-To-Cart', 'add_to_cart'],
    ['add to cart', 'add_to_cart'],
    ['ADD_TO_CART', 'add_to_cart'],
    ['  page-view\n', 'page_view'],
    ['Remove--From  Cart', 'remove_from_cart'],
  ])('cleaning.md row 1: folds case and separators (%j → %s)', (input, expected) => {
    expect(normalizeEventType(input)).toBe(expected);
  });

  it.each([
    ['addToCart', 'add_to_cart'],
    ['ProductView', 'product_view'],
    [' PURCHASE ', 'purchase'],
    ['Refund\u200B', 'refund'],
  ])('cleaning.md row 2: splits camelCase and ignores invisible characters (%j → %s)', (input, expected) => {
    expect(normalizeEventType(input)).toBe(expected);
  });

  it.each([['teleport'], ['purchases'], ['page view x'], [''], ['__proto__'], ['constructor'], [7], [null]])(
    'cleaning.md row 3: anything else is not an event type (%j)',
    (input) => {
      expect(normalizeEventType(input)).toBeUndefined();
    },
  );

  it('maps every contract type to itself', () => {
    for (const type of EVENT_TYPES) expect(normalizeEventType(type)).toBe(type);
  });

  it('never throws, only yields contract types, and is idempotent', () => {
    const known = new Set<string>(EVENT_TYPES);
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), fc.string(), fc.constantFrom(...EVENT_TYPES.map((t) => t.toUpperCase()))),
        (value) => {
          const once = normalizeEventType(value);
          if (once === undefined) return;
          expect(known.has(once)).toBe(true);
          expect(normalizeEventType(once)).toBe(once);
        },
      ),
    );
  });
});
