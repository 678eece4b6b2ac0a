import { type IngestErrorKind } from '../events/ingest-error.js';

/**
 * RFC 9457 problem details. `type` is a stable URI per kind of error that clients can switch on;
 * the catalogue is docs/api.md.
 */
export class Problem {
  constructor(
    readonly status: number,
    readonly kind: string,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {}

  get type(): string {
    return `https://pulse.dev/problems/${this.kind}`;
  }

  toJSON(): Record<string, unknown> {
    return { type: this.type, title: this.title, status: this.status, detail: this.detail, ...this.extra };
  }
}

export const PROBLEM_OF: Record<IngestErrorKind, { status: number; slug: string; title: string }> = {
  unauthenticated: { status: 401, slug: 'unauthenticated', title: 'Missing or unknown API key' },
  forbidden: { status: 403, slug: 'forbidden', title: 'The API key may not do this' },
  malformed: { status: 400, slug: 'malformed-body', title: 'Request body is not valid JSON or NDJSON' },
  unsupported_media_type: {
    status: 415,
    slug: 'unsupported-media-type',
    title: 'Unsupported content type or encoding',
  },
  too_large: { status: 413, slug: 'payload-too-large', title: 'Request is too large' },
  no_valid_events: { status: 422, slug: 'no-valid-events', title: 'No event in the request is valid' },
  rate_limited: { status: 429, slug: 'rate-limited', title: 'Too many events; slow down' },
  stream_full: { status: 429, slug: 'stream-full', title: 'Event storage is full; retry later' },
  unavailable: { status: 503, slug: 'unavailable', title: 'Events could not be persisted; retry later' },
};
