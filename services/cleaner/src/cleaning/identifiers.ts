import { looksLikeEmail, stripInvisible } from './text.js';

/** Spreadsheet and pandas exports write a missing id as one of these; none is a real id. */
const MISSING_MARKERS = new Set(['null', 'undefined', 'nan', 'none', 'n/a']);

/**
 * An id as the shop meant it: `17850`, `"17850.0"` (a spreadsheet's float column) and `" 17850 "`
 * all become `"17850"`. Ids are otherwise opaque: inner characters and case are kept. Absent when
 * empty, a missing-value marker, longer than `maxLength`, shaped like an e-mail address, or a
 * number JSON could not carry exactly (beyond 2^53 the digits were already rounded by the parser).
 */
export function normalizeId(value: unknown, maxLength = 256): string | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) return undefined;
    text = String(value);
  } else if (typeof value === 'string') {
    text = stripInvisible(value).trim();
  } else {
    return undefined;
  }
  text = text.replace(/^(\d+)\.0+$/, '$1');
  if (text.length === 0 || text.length > maxLength) return undefined;
  if (MISSING_MARKERS.has(text.toLowerCase()) || looksLikeEmail(text)) return undefined;
  return text;
}
