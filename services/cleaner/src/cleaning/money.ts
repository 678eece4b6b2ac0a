export type AmountResult = { ok: true; minor: number } | { ok: false; detail: string };

/** Characters that only ever group thousands: space, NBSP, narrow NBSP (fr-FR), apostrophes (de-CH). */
const GROUP_ONLY = /[ \u00a0\u202f'\u2019]/;
const AMOUNT_CHARS = /^[0-9.,' \u00a0\u202f\u2019]+$/;
const MAX_TEXT = 64;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const refuse = (detail: string): AmountResult => ({ ok: false, detail });

/**
 * Digits before and after the decimal mark → integer minor units, exactly (BigInt, never a float
 * multiplication: 0.1 + 0.2 must not cost a cent). Extra fraction digits round half up (a unit
 * price computed net of tax often has more decimals than its currency).
 */
function toMinor(whole: string, fraction: string, exponent: number): AmountResult {
  const kept = fraction.slice(0, exponent).padEnd(exponent, '0');
  const roundUp = fraction.length > exponent && fraction.charCodeAt(exponent) >= 0x35; // '5'
  const minor = BigInt(whole || '0') * 10n ** BigInt(exponent) + BigInt(kept || '0') + (roundUp ? 1n : 0n);
  if (minor > MAX_SAFE) return refuse('amount is too large');
  return { ok: true, minor: Number(minor) };
}

/** A JS number's shortest round-trip decimal ("19.99", not 19.989999…), exponent form expanded. */
function decimalOf(value: number): { whole: string; fraction: string } {
  const [mantissa, exp = '0'] = value.toString().split('e');
  const [intDigits, fracDigits = ''] = mantissa.split('.');
  const shift = Number(exp);
  const digits = intDigits + fracDigits;
  const point = intDigits.length + shift;
  if (point <= 0) return { whole: '0', fraction: '0'.repeat(-point) + digits };
  if (point >= digits.length) return { whole: digits + '0'.repeat(point - digits.length), fraction: '' };
  return { whole: digits.slice(0, point), fraction: digits.slice(point) };
}

function groupedWhole(whole: string): string | undefined {
  const separators = new Set(whole.replace(/\d/g, ''));
  if (separators.size === 0) return whole.length > 0 ? whole : undefined;
  if (separators.size > 1) return undefined;
  const [separator] = separators;
  const escaped = separator === '.' ? '\\.' : separator;
  return new RegExp(`^\\d{1,3}(${escaped}\\d{3})+$`).test(whole) ? whole.split(separator).join('') : undefined;
}

/**
 * Which of `.` and `,` is the decimal mark, or undefined when there is none. Both present: the last
 * one, and the other groups thousands ("1,234.50", "1.234,50"). One of them repeated: it groups
 * ("1,234,567"). One of them once, after a space/apostrophe grouping: decimal ("1 234,50"). One of
 * them once, alone: decimal — unless it is followed by exactly three digits after a 1–3 digit whole
 * part ("1,234", "12.500"), which reads as a thousands group in half the world and as a decimal in
 * the other half: refused as ambiguous, except in a currency with three decimals (KWD "1.234").
 */
function decimalMark(text: string, exponent: number): { mark?: string } | 'ambiguous' | 'invalid' {
  const dots = text.split('.').length - 1;
  const commas = text.split(',').length - 1;
  if (dots > 0 && commas > 0) {
    const mark = text.lastIndexOf('.') > text.lastIndexOf(',') ? '.' : ',';
    return (mark === '.' ? dots : commas) === 1 ? { mark } : 'invalid';
  }
  if (dots + commas === 0) return {};
  const mark = dots > 0 ? '.' : ',';
  if (dots + commas > 1) return {};
  if (GROUP_ONLY.test(text)) return { mark };
  const [whole, fraction] = text.split(mark);
  if (fraction.length === 3 && /^[1-9]\d{0,2}$/.test(whole) && exponent !== 3) return 'ambiguous';
  return { mark };
}

function parseAmountText(value: string, exponent: number): AmountResult {
  let text = value.trim();
  if (text.length === 0) return refuse('price is empty');
  if (text.length > MAX_TEXT) return refuse('price is too long to be an amount');
  let negative = false;
  if (/^[+\-\u2212]/.test(text)) {
    negative = text[0] !== '+';
    text = text.slice(1).trimStart();
  }
  if (!AMOUNT_CHARS.test(text) || !/\d/.test(text)) return refuse('price is not a decimal amount');
  const decision = decimalMark(text, exponent);
  if (decision === 'invalid') return refuse('price is not a decimal amount');
  if (decision === 'ambiguous') {
    return refuse('price has one separator followed by three digits: thousands group or decimals is ambiguous');
  }
  const [wholePart, fraction = ''] = decision.mark === undefined ? [text] : text.split(decision.mark);
  const whole = groupedWhole(wholePart);
  if (whole === undefined || (decision.mark !== undefined && !/^\d+$/.test(fraction))) {
    return refuse('price is not a decimal amount');
  }
  const result = toMinor(whole, fraction, exponent);
  if (result.ok && negative && result.minor !== 0) return refuse('price is negative');
  return result;
}

/**
 * A price or amount → integer minor units of a currency with `exponent` decimals (ISO 4217: JPY 0,
 * GBP 2, KWD 3). Numbers, decimal strings, comma decimals and unambiguous thousands groupings are
 * read; negative, non-finite, ambiguous and unsafe-integer amounts are refused. -0 is zero.
 */
export function parseAmountMinor(value: unknown, exponent: number): AmountResult {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return refuse('price is not a finite number');
    if (value < 0) return refuse('price is negative');
    const { whole, fraction } = decimalOf(Math.abs(value));
    return toMinor(whole, fraction, exponent);
  }
  if (typeof value === 'string') return parseAmountText(value, exponent);
  return refuse('price must be a number or a decimal string');
}

/** Minor units → the canonical decimal text ("1234.50" for 123450 at exponent 2), exactly. */
export function formatMinor(minor: number, exponent: number): string {
  if (exponent === 0) return String(minor);
  const digits = String(minor).padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** price × quantity in minor units, or undefined when the product leaves the safe-integer range. */
export function lineAmountMinor(priceMinor: number, quantity: number): number | undefined {
  const amount = BigInt(priceMinor) * BigInt(quantity);
  return amount <= MAX_SAFE ? Number(amount) : undefined;
}
