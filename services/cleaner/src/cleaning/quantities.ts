export type QuantityResult = { ok: true; quantity: number } | { ok: false; detail: string };

/**
 * A line's quantity: a whole number of units ≥ 1, as a number or a decimal string whose fraction
 * is zero (`2`, `"2"`, `"2.0"`). Fractions, zero, negatives (a refund states its units as a positive
 * quantity, DESIGN.md), non-finite values and integers beyond 2^53 are refused. `"1,000"` is refused
 * too: it could be one thousand or one.
 */
export function parseQuantity(value: unknown): QuantityResult {
  let quantity: number;
  if (typeof value === 'number') {
    quantity = value;
  } else if (typeof value === 'string') {
    const text = value.trim();
    if (!/^\+?\d{1,16}(\.0+)?$/.test(text)) {
      return { ok: false, detail: 'quantity must be a whole number of units, ≥ 1' };
    }
    quantity = Number(text.replace(/\.0+$/, ''));
  } else {
    return { ok: false, detail: 'quantity must be a number or a decimal string' };
  }
  if (!Number.isSafeInteger(quantity) || quantity < 1) {
    return { ok: false, detail: 'quantity must be a whole number of units, ≥ 1' };
  }
  return { ok: true, quantity };
}
