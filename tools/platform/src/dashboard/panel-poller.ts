import { type PanelResult } from './dashboard-model.js';

/**
 * Refreshes one panel: at most one read in flight, a new one at most every `everyMs`. A failed
 * read keeps the last data and records the error, so the panel shows both and the demo goes on.
 */
export class PanelPoller<T> {
  result: PanelResult<T> = {};
  private inFlight = false;
  private lastStart = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly read: (now: number) => Promise<T>,
    private readonly everyMs: number,
  ) {}

  tick(now: number): void {
    if (this.inFlight || now - this.lastStart < this.everyMs) return;
    this.inFlight = true;
    this.lastStart = now;
    let reading: Promise<T>;
    try {
      reading = this.read(now);
    } catch (error) {
      reading = Promise.reject(error);
    }
    reading
      .then(
        (data) => {
          this.result = { data, updatedAt: Date.now() };
        },
        (error: unknown) => {
          this.result = { ...this.result, error: errorText(error) };
        },
      )
      .finally(() => {
        this.inFlight = false;
      });
  }
}

const GRPC_CODES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

/** A short, one-line reason: the gRPC status name and its details, or the error's message. */
export function errorText(error: unknown): string {
  const grpc = error as { code?: unknown; details?: unknown };
  const message =
    typeof grpc.code === 'number' && typeof grpc.details === 'string'
      ? `${GRPC_CODES[grpc.code] ?? grpc.code} ${grpc.details}`
      : error instanceof Error
        ? error.message
        : String(error);
  return message.replace(/\s+/g, ' ').trim().slice(0, 120);
}
