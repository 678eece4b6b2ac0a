import fc from 'fast-check';

import { parseQuantity } from './quantities.js';

describe('parseQuantity', () => {
  it.each([
    [2, 2],
    ['2', 2],
    ['2.0', 2],
    [' 3 ', 3],
    [2.0, 2],
    ['+4', 4],
  ])('cleaning.md row 28: reads %j as %d units', (input, expected) => {
    expect(parseQuantity(input)).toEqual({ ok: true, quantity: expected });
  });

  it.each([
    [1.5],
    ['1.5'],
    [-1],
    ['-1'],
    [0],
    ['0'],
    [-0],
    ['1,000'],
    ['1e3'],
    [''],
    ['NaN'],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    ['Infinity'],
    [2 ** 53],
    [null],
    [true],
  ])('cleaning.md row 29: refuses %p', (input) => {
    expect(parseQuantity(input)).toMatchObject({ ok: false });
  });

  it('reads every whole number of units, as a number, a string or a string with a zero fraction', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (n) => {
        const digits = n.toString(10);
        expect(parseQuantity(n)).toEqual({ ok: true, quantity: n });
        expect(parseQuantity(digits)).toEqual({ ok: true, quantity: n });
        expect(parseQuantity(`${digits}.00`)).toEqual({ ok: true, quantity: n });
      }),
    );
  });

  it('never throws; whatever it accepts is a safe integer ≥ 1 and reads back as itself', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.double(), fc.string()), (value) => {
        const result = parseQuantity(value);
        if (!result.ok) return;
        expect(Number.isSafeInteger(result.quantity) && result.quantity >= 1).toBe(true);
        expect(parseQuantity(result.quantity)).toEqual(result);
      }),
    );
  });
});
