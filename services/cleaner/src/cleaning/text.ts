/**
 * Invisible characters: C0/C1 controls and DEL (Cc), format characters such as zero-width spaces
 * and bidi overrides (Cf, which can make two different strings look alike in a dashboard) and
 * lone surrogates (Cs, which are not valid UTF-8 once re-encoded).
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}]/gu;
const WHITESPACE_RUN = /\s+/g;

/** Control and format characters removed, nothing else touched (ids keep their inner spacing). */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

/**
 * Free text as Pulse keeps it: whitespace runs (tabs, newlines, NBSP) become one space, invisible
 * characters go, the ends are trimmed, composed to NFC (so "é" typed two ways is one value).
 * Empty, non-string or longer than `maxLength` after cleaning → undefined.
 */
export function normalizeText(value: unknown, maxLength: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = stripInvisible(value.replace(WHITESPACE_RUN, ' ')).replace(WHITESPACE_RUN, ' ').trim().normalize('NFC');
  if (text.length === 0 || text.length > maxLength) return undefined;
  return text;
}

const EMAIL_SHAPE = /[^\s@]+@[^\s@]+\.[^\s@]+/;

/**
 * Defence in depth: a free-text or id field that carries something shaped like an e-mail address
 * is dropped, because a shop that put an address there would otherwise leak it past the PII rules.
 */
export function looksLikeEmail(text: string): boolean {
  return EMAIL_SHAPE.test(text);
}

/** Category: free text, lower-cased; the `category:<name>` dimension key. */
export function normalizeCategory(value: unknown): string | undefined {
  const text = normalizeText(value, 256)?.toLowerCase().normalize('NFC');
  if (text === undefined || looksLikeEmail(text)) return undefined;
  return text;
}

const CHANNEL = /^[a-z0-9][a-z0-9_.-]{0,31}$/;

/**
 * Channel: a short lower-case token (`web`, `ios`, `mobile_app`); spaces become `_`. Anything else
 * is dropped rather than becoming an unbounded `channel:<c>` dimension.
 */
export function normalizeChannel(value: unknown): string | undefined {
  const text = normalizeText(value, 64)?.toLowerCase().replace(/ /g, '_');
  return text !== undefined && CHANNEL.test(text) ? text : undefined;
}
