import fc from 'fast-check';

import { lookupCurrency } from './currencies.js';

describe('lookupCurrency', () => {
  it.each([
    [' gbp ', 'GBP', 2],
    ['Eur', 'EUR', 2],
    ['JPY', 'JPY', 0],
    ['KWD', 'KWD', 3],
    ['BHD', 'BHD', 3],
    ['CLF', 'CLF', 4],
    ['usd\u200B', 'USD', 2],
  ])('cleaning.md row 22: %j → %s with %d decimals (ISO 4217)', (input, code, exponent) => {
    expect(lookupCurrency(input)).toEqual({ code, exponent });
  });

  it.each([
    ['EURO'],
    ['€'],
    ['US$'],
    ['XAU'],
    ['XXX'],
    ['XTS'],
    ['XDR'],
    ['ZZZ'],
    [''],
    [978],
    [null],
    ['constructor'],
  ])('cleaning.md row 23: %p is not a currency a price can be in', (input) => {
    expect(lookupCurrency(input)).toBeUndefined();
  });

  it('never throws and is idempotent on its own output', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string({ minLength: 3, maxLength: 5 })), (value) => {
        const once = lookupCurrency(value);
        if (once) expect(lookupCurrency(once.code)).toEqual(once);
      }),
    );
  });
});
