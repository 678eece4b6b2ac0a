import fc from 'fast-check';

import { normalizeId } from './identifiers.js';

describe('normalizeId', () => {
  it.each([
    [17850, '17850'],
    ['17850.0', '17850'],
    ['17850.000', '17850'],
    [' 17850 ', '17850'],
    [17850.0, '17850'],
    [-0, '0'],
  ])('cleaning.md row 33: reads %j as "%s"', (input, expected) => {
    expect(normalizeId(input)).toBe(expected);
  });

  it('keeps ids opaque otherwise: case, inner spaces, real fractions, leading zeros', () => {
    expect(normalizeId('SKU 123-a')).toBe('SKU 123-a');
    expect(normalizeId('17850.5')).toBe('17850.5');
    expect(normalizeId(17850.5)).toBe('17850.5');
    expect(normalizeId('007')).toBe('007');
    expect(normalizeId('C536365')).toBe('C536365');
  });

  it.each([[''], ['   '], ['\u0000'], ['nan'], ['NaN'], ['null'], ['None'], ['undefined'], ['n/a']])(
    'cleaning.md row 34: empty values and missing-value markers are absent (%j)',
    (input) => {
      expect(normalizeId(input)).toBeUndefined();
    },
  );

  it('cleaning.md row 34: strips control characters and trims ("\\tu-1\\u0000 " → "u-1")', () => {
    expect(normalizeId('\tu-1\u0000 ')).toBe('u-1');
  });

  it.each([[1e21], [2 ** 53], [Number.NaN], [Number.POSITIVE_INFINITY], [true], [{}], [['1']], [null]])(
    'cleaning.md row 35: numbers JSON could not carry exactly, and non-ids, are absent (%p)',
    (input) => {
      expect(normalizeId(input)).toBeUndefined();
    },
  );

  it('cleaning.md row 53: drops an id that is an e-mail address', () => {
    expect(normalizeId('jane.doe@example.com')).toBeUndefined();
  });

  it('refuses ids longer than the limit', () => {
    expect(normalizeId('x'.repeat(257))).toBeUndefined();
    expect(normalizeId('x'.repeat(256))).toHaveLength(256);
  });

  it('reads every safe integer, as a number or a float string, as its decimal digits', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.integer({ min: 1, max: 4 }), (n, zeros) => {
        const digits = n.toString(10);
        expect(normalizeId(n)).toBe(digits);
        expect(normalizeId(`${digits}.${'0'.repeat(zeros)}`)).toBe(digits);
      }),
    );
  });

  it('never throws and is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string({ unit: 'binary' }), fc.double()), (value) => {
        const once = normalizeId(value);
        if (once !== undefined) expect(normalizeId(once)).toBe(once);
      }),
    );
  });
});
