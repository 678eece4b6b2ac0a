import fc from 'fast-check';

import { formatMinor, lineAmountMinor, parseAmountMinor } from './money.js';

const minor = (value: unknown, exponent: number) => {
  const result = parseAmountMinor(value, exponent);
  return result.ok ? result.minor : undefined;
};

/** The test's own decimal writer (BigInt digits), independent of formatMinor. */
function decimalText(amount: bigint, exponent: number): string {
  if (exponent === 0) return amount.toString();
  const scale = 10n ** BigInt(exponent);
  return `${amount / scale}.${(amount % scale).toString().padStart(exponent, '0')}`;
}

describe('parseAmountMinor', () => {
  it.each([
    ['12.50', 2, 1250],
    ['12.5', 2, 1250],
    ['7', 2, 700],
    ['1250', 0, 1250],
    ['1.234', 3, 1234],
    ['0.0001', 4, 1],
    ['  12.50 ', 2, 1250],
    ['+12.50', 2, 1250],
    ['007.10', 2, 710],
  ])('cleaning.md row 12: %j at exponent %d → %d minor units', (input, exponent, expected) => {
    expect(minor(input, exponent)).toBe(expected);
  });

  it.each([
    ['12,50', 2, 1250],
    ['12,5', 2, 1250],
    ['0,99', 2, 99],
    ['1234,5', 2, 123450],
    ['0,123', 2, 12],
  ])('cleaning.md row 13: comma decimal %j → %d', (input, exponent, expected) => {
    expect(minor(input, exponent)).toBe(expected);
  });

  it.each([
    ['1,234.50', 2, 123450],
    ['1.234,50', 2, 123450],
    ['1 234,50', 2, 123450],
    ['1\u00a0234,50', 2, 123450],
    ['1\u202f234,50', 2, 123450],
    ["1'234.50", 2, 123450],
    ['1\u2019234.50', 2, 123450],
    ['1,234,567', 2, 123456700],
    ['1.234.567', 0, 1234567],
    ['1,234,567.891', 3, 1234567891],
    ['1 234', 0, 1234],
  ])('cleaning.md row 14: thousands grouping %j → %d', (input, exponent, expected) => {
    expect(minor(input, exponent)).toBe(expected);
  });

  it.each([
    ['1,234', 2],
    ['1.234', 2],
    ['12.500', 2],
    ['999,000', 0],
  ])('cleaning.md row 15: refuses %j at exponent %d as ambiguous', (input, exponent) => {
    expect(parseAmountMinor(input, exponent)).toMatchObject({
      ok: false,
      detail: expect.stringContaining('ambiguous'),
    });
  });

  it('cleaning.md row 15: reads a single separator with three digits as decimals in a three-decimal currency (KWD)', () => {
    expect(minor('1,234', 3)).toBe(1234);
    expect(minor('1.234', 3)).toBe(1234);
  });

  it.each([
    ['1,2.5', 2],
    ['1,23,456.00', 2],
    ['1.234.56', 2],
    ['1 234.567,89', 2],
    ['.5', 2],
    ['5.', 2],
    ['1,,0', 2],
  ])('refuses malformed grouping %j', (input, exponent) => {
    expect(parseAmountMinor(input, exponent)).toMatchObject({ ok: false });
  });

  it.each([
    [19.99, 2, 1999],
    [0.1 + 0.2, 2, 30],
    [1.005, 2, 101],
    [12, 0, 12],
    [1e-7, 2, 0],
    [1e15, 0, 1e15],
  ])('cleaning.md row 16: the JSON number %p reads as its shortest decimal → %d', (input, exponent, expected) => {
    expect(minor(input, exponent)).toBe(expected);
  });

  it.each([
    ['0.015', 2, 2],
    ['0.014', 2, 1],
    ['1234.565', 2, 123457],
    ['0.5', 0, 1],
    ['0.4999', 0, 0],
    ['2.0005', 3, 2001],
  ])('cleaning.md row 17: extra decimals round half up: %j at exponent %d → %d', (input, exponent, expected) => {
    expect(minor(input, exponent)).toBe(expected);
  });

  it.each([
    ['-1', 'negative'],
    [-0.01, 'negative'],
    ['\u22125', 'negative'],
    ['NaN', 'not a decimal amount'],
    ['Infinity', 'not a decimal amount'],
    ['-Infinity', 'not a decimal amount'],
    [Number.NaN, 'not a finite number'],
    [Number.POSITIVE_INFINITY, 'not a finite number'],
    ['free', 'not a decimal amount'],
    ['£12.50', 'not a decimal amount'],
    ['1e3', 'not a decimal amount'],
    ['', 'empty'],
    ['9'.repeat(65), 'too long'],
    ['99999999999999999', 'too large'],
    [1e300, 'too large'],
    [null, 'number or a decimal string'],
    [{ amount: 1 }, 'number or a decimal string'],
  ])('cleaning.md row 18: refuses %p (%s)', (input, reason) => {
    expect(parseAmountMinor(input, 2)).toEqual({ ok: false, detail: expect.stringContaining(reason) });
  });

  it.each([[-0], ['-0'], ['-0.00'], ['+0']])('cleaning.md row 19: %p is zero, not a negative price', (input) => {
    expect(parseAmountMinor(input, 2)).toEqual({ ok: true, minor: 0 });
  });

  it('never throws, and whatever it accepts is a safe non-negative integer', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), fc.double(), fc.string(), fc.stringMatching(/^[-+0-9.,' ]{0,20}$/)),
        fc.constantFrom(0, 2, 3, 4),
        (value, exponent) => {
          const result = parseAmountMinor(value, exponent);
          if (result.ok) expect(Number.isSafeInteger(result.minor) && result.minor >= 0).toBe(true);
        },
      ),
    );
  });

  it('is exact: every minor amount written as a plain decimal at its exponent reads back as itself', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) }), fc.constantFrom(0, 2, 3, 4), (n, e) => {
        expect(minor(decimalText(n, e), e)).toBe(Number(n));
      }),
    );
  });

  it('is exact through real locale formats (Intl.NumberFormat with grouping)', () => {
    const locales = ['en-US', 'de-DE', 'fr-FR', 'de-CH', 'es-ES', 'sv-SE', 'pl-PL', 'nl-NL', 'pt-BR'];
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) }),
        fc.constantFrom(2, 3, 4),
        fc.constantFrom(...locales),
        (n, e, locale) => {
          const format = new Intl.NumberFormat(locale, { minimumFractionDigits: e, maximumFractionDigits: e });
          // Intl formats a decimal string exactly (no float in between).
          const text = format.format(decimalText(n, e) as unknown as number);
          expect(minor(text, e)).toBe(Number(n));
        },
      ),
    );
  });

  it('is exact for JSON numbers with at most the currency’s decimals and 15 significant digits', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 999_999_999_999_999n }), fc.constantFrom(0, 2, 3), (n, e) => {
        expect(minor(Number(decimalText(n, e)), e)).toBe(Number(n));
      }),
    );
  });

  it('is idempotent: normalizing the canonical text of a normalized amount gives the same amount', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ min: 0, max: 1e12 }), fc.string()), fc.constantFrom(0, 2, 3), (value, e) => {
        const once = parseAmountMinor(value, e);
        if (once.ok) expect(parseAmountMinor(formatMinor(once.minor, e), e)).toEqual(once);
      }),
    );
  });
});

describe('formatMinor', () => {
  it.each([
    [123450, 2, '1234.50'],
    [5, 2, '0.05'],
    [1234, 0, '1234'],
    [1, 3, '0.001'],
  ])('%d at exponent %d → %s', (amount, exponent, expected) => {
    expect(formatMinor(amount, exponent)).toBe(expected);
  });
});

describe('lineAmountMinor', () => {
  it('multiplies exactly and refuses products past 2^53', () => {
    expect(lineAmountMinor(1250, 3)).toBe(3750);
    expect(lineAmountMinor(2 ** 52 - 1, 2)).toBe(2 ** 53 - 2);
    expect(lineAmountMinor(2 ** 52, 2)).toBeUndefined();
  });
});
