/**
 * RFC 9457 problem details. `type` is a stable URI per kind of error that clients can switch on;
 * the catalogue lives in docs/api.md.
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly kind: string,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }

  get type(): string {
    return `https://pulse.dev/problems/${this.kind}`;
  }

  toJSON(): Record<string, unknown> {
    return { type: this.type, title: this.title, status: this.status, detail: this.detail, ...this.extra };
  }
}

export const problems = {
  unauthenticated: () =>
    new Problem(
      401,
      'unauthenticated',
      'Missing or unknown API key',
      'send x-api-key or Authorization: Bearer',
      {},
      {
        'www-authenticate': 'Bearer',
      },
    ),
  malformed: (detail: string) => new Problem(400, 'malformed-body', 'Request body is not valid JSON or NDJSON', detail),
  unsupportedMediaType: (type: string) =>
    new Problem(
      415,
      'unsupported-media-type',
      'Unsupported content type',
      `got ${type}; send application/json or application/x-ndjson`,
    ),
  tooLarge: (detail: string) => new Problem(413, 'payload-too-large', 'Request is too large', detail),
  noValidEvents: (rejected: unknown[]) =>
    new Problem(422, 'no-valid-events', 'No event in the request is valid', undefined, { rejected }),
  unavailable: (detail: string) =>
    new Problem(503, 'unavailable', 'Events could not be persisted; retry later', detail, {}, { 'retry-after': '2' }),
};
