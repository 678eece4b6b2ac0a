import { type proto } from '@pulse/contracts';

import { ArgumentError } from '../forecasting/argument-error.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1_000;
const TOKEN_PREFIX = 'alerts-v1:';

/** A page of a tenant's alerts: from a stream sequence (a page token), else from a time, else all. */
export interface AlertsPageQuery {
  readonly since?: number;
  /** Stream sequence to continue from (inclusive). */
  readonly fromSequence?: number;
  readonly pageSize: number;
}

type Timestamp = proto.google.protobuf.Timestamp;

/** Epoch ms of a Timestamp, undefined when unset. */
function millisOf(field: string, value: Timestamp | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value.seconds ?? 0);
  const nanos = Number(value.nanos ?? 0);
  if (!Number.isSafeInteger(seconds) || !Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) {
    throw new ArgumentError(field, 'not a valid timestamp');
  }
  return seconds * 1000 + Math.floor(nanos / 1e6);
}

/** The opaque token of the page that starts at a stream sequence. */
export function pageToken(fromSequence: number): string {
  return Buffer.from(`${TOKEN_PREFIX}${fromSequence}`, 'utf8').toString('base64url');
}

function sequenceOf(token: string): number {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const sequence = text.startsWith(TOKEN_PREFIX) ? Number(text.slice(TOKEN_PREFIX.length)) : NaN;
  if (!Number.isSafeInteger(sequence) || sequence < 1) {
    throw new ArgumentError('page_token', 'not a token this service issued; pass next_page_token unchanged');
  }
  return sequence;
}

/** @throws ArgumentError naming the field at fault */
export function parseListAlertsRequest(request: Partial<proto.pulse.forecast.v1.ListAlertsRequest>): AlertsPageQuery {
  const pageSize = request.pageSize || DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new ArgumentError(
      'page_size',
      `must be 1 to ${MAX_PAGE_SIZE} (0 means ${DEFAULT_PAGE_SIZE}), got ${request.pageSize}`,
    );
  }
  if (request.pageToken) return { fromSequence: sequenceOf(request.pageToken), pageSize };
  return { since: millisOf('since', request.since), pageSize };
}

/** @throws ArgumentError naming the field at fault */
export function parseWatchAlertsRequest(request: Partial<proto.pulse.forecast.v1.WatchAlertsRequest>): {
  since?: number;
} {
  return { since: millisOf('since', request.since) };
}
