import { createHash } from 'node:crypto';

import { QueryArgumentError } from './query-error.js';

/** Where the next page starts: after `offset` ranked items, or after a dimension name. */
export type PageCursor = { offset: number } | { after: string };

/**
 * A short digest of everything that defines a query's result order (tenant, kind, range,
 * metric, ...), so a page token only continues the query that issued it.
 */
export function queryFingerprint(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

/** Opaque to clients: base64url JSON `{v: 1, q: fingerprint, o | a}`. */
export function encodePageToken(cursor: PageCursor, fingerprint: string): string {
  const body =
    'offset' in cursor ? { v: 1, q: fingerprint, o: cursor.offset } : { v: 1, q: fingerprint, a: cursor.after };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** The first page for an empty token; INVALID_ARGUMENT for a token of another query or garbage. */
export function decodePageToken(token: string, fingerprint: string, kind: 'offset'): { offset: number };
export function decodePageToken(token: string, fingerprint: string, kind: 'after'): { after: string } | undefined;
export function decodePageToken(
  token: string,
  fingerprint: string,
  kind: 'offset' | 'after',
): { offset: number } | { after: string } | undefined {
  if (token === '') return kind === 'offset' ? { offset: 0 } : undefined;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    body = undefined;
  }
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (fields.v !== 1) throw new QueryArgumentError('page_token', 'is not a page token this API issued');
  if (fields.q !== fingerprint) {
    throw new QueryArgumentError(
      'page_token',
      'belongs to a different query: repeat the request that returned it, changing only page_token',
    );
  }
  if (kind === 'offset' && Number.isSafeInteger(fields.o) && (fields.o as number) >= 0) {
    return { offset: fields.o as number };
  }
  if (kind === 'after' && typeof fields.a === 'string') return { after: fields.a };
  throw new QueryArgumentError('page_token', 'is not a page token this API issued');
}
