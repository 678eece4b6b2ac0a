import { readFileSync } from 'node:fs';
import fc from 'fast-check';

import { convertMinor, parseRateTable, type RateTable } from './exchange-rates.js';

function table(rates: Record<string, string>, quote = 'EUR'): RateTable {
  const parsed = parseRateTable({ quote, as_of: '2025-11-03', rates });
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.table;
}

const rates = table({ EUR: '1', GBP: '1.14', USD: '0.867', JPY: '0.00564', KWD: '2.825' });

describe('convertMinor', () => {
  // Reference values: exact fractions computed with Python's fractions.Fraction, then rounded half up.
  it.each([
    [1250, 'GBP', 'EUR', 1425], // 12.50 × 1.14 = 14.25
    [2500, 'GBP', 'EUR', 2850], // 25.00 × 1.14 = 28.50
    [1000, 'JPY', 'EUR', 564], // ¥1000 × 0.00564 = 5.64
    [10000, 'EUR', 'JPY', 17730], // 100 / 0.00564 = 17730.49…
    [1234, 'KWD', 'EUR', 349], // 1.234 × 2.825 = 3.48605
    [700, 'EUR', 'EUR', 700],
  ])('cleaning.md row 25: %d minor %s → %s = %d minor, exact, rounded half up once', (amount, from, to, expected) => {
    expect(convertMinor(amount, from, to, rates)).toEqual({ ok: true, minor: expected });
  });

  it('cleaning.md row 26: converts between two non-quote currencies through the quote (10.00 GBP → 13.15 USD)', () => {
    // 10 × 1.14 / 0.867 = 3800/289 = 13.1487…
    expect(convertMinor(1000, 'GBP', 'USD', rates)).toEqual({ ok: true, minor: 1315 });
  });

  it('rounds an exact half up', () => {
    const halves = table({ EUR: '1', GBP: '1.5' });
    expect(convertMinor(1, 'GBP', 'EUR', halves)).toEqual({ ok: true, minor: 2 }); // 0.015 → 0.02
    expect(convertMinor(3, 'GBP', 'EUR', halves)).toEqual({ ok: true, minor: 5 }); // 0.045 → 0.05
  });

  it('cleaning.md row 27: a currency the table does not have is an error naming it, never a guess', () => {
    expect(convertMinor(100, 'THB', 'EUR', rates)).toEqual({
      ok: false,
      problem: 'missing_rate',
      detail: expect.stringContaining('no exchange rate for THB'),
    });
    expect(convertMinor(100, 'EUR', 'CHF', rates)).toEqual({
      ok: false,
      problem: 'missing_rate',
      detail: expect.stringContaining('no exchange rate for CHF'),
    });
  });

  it('refuses a result past 2^53 instead of rounding it', () => {
    expect(convertMinor(Number.MAX_SAFE_INTEGER, 'GBP', 'JPY', rates)).toMatchObject({
      ok: false,
      problem: 'out_of_range',
    });
  });

  it('is the identity within a currency and monotone across currencies', () => {
    const codes = ['EUR', 'GBP', 'USD', 'JPY', 'KWD'];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.integer({ min: 0, max: 1e12 }),
        fc.constantFrom(...codes),
        fc.constantFrom(...codes),
        (a, b, from, to) => {
          expect(convertMinor(a, from, from, rates)).toEqual({ ok: true, minor: a });
          const [low, high] = a <= b ? [a, b] : [b, a];
          const lowResult = convertMinor(low, from, to, rates);
          const highResult = convertMinor(high, from, to, rates);
          if (lowResult.ok && highResult.ok) expect(lowResult.minor).toBeLessThanOrEqual(highResult.minor);
        },
      ),
    );
  });
});

describe('parseRateTable', () => {
  it('reads rates as exact decimals (strings or numbers) and adds the quote at 1', () => {
    const parsed = parseRateTable({ quote: 'usd', rates: { EUR: 1.16, GBP: '1.3200' } });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.table.quote).toBe('USD');
    expect([...parsed.table.rates.keys()].sort()).toEqual(['EUR', 'GBP', 'USD']);
    expect(convertMinor(100, 'EUR', 'USD', parsed.table)).toEqual({ ok: true, minor: 116 });
  });

  it('reports every problem at once', () => {
    const parsed = parseRateTable({
      quote: 'EUR',
      rates: { EUR: '2', GBP: '-1', usd: '0.9', XYZ: '1', JPY: 'cheap', CHF: '0' },
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('rates.EUR'),
        expect.stringContaining('rates.GBP'),
        expect.stringContaining('rates.usd'),
        expect.stringContaining('rates.XYZ'),
        expect.stringContaining('rates.JPY'),
        expect.stringContaining('rates.CHF'),
      ]),
    );
  });

  it.each([[null], [[]], ['rates'], [{ rates: {} }], [{ quote: 'EUR' }], [{ quote: 'EUR', rates: [] }]])(
    'refuses %j',
    (json) => {
      expect(parseRateTable(json).ok).toBe(false);
    },
  );

  it('ships local rates that parse, against EUR (the default base currency)', () => {
    const file = JSON.parse(readFileSync(new URL('../../rates.local.json', import.meta.url), 'utf8'));
    const parsed = parseRateTable(file);
    expect(parsed).toMatchObject({ ok: true, table: { quote: 'EUR' } });
  });
});
