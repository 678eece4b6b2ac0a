import { type WireEvent } from '../simulator/simulated-event.js';

/** What happened to the events handed to a sender, from the gateway's answers. */
export interface SendStats {
  /** events handed to the sender (each once, however often it was retried) */
  sent: number;
  /** stored for the first time */
  accepted: number;
  /** recognised as retries of an event id already stored */
  duplicates: number;
  /** refused by the gateway's validation (`rejected` in its answer) */
  rejected: number;
  /** requests (or gRPC streams) repeated after 429/503, RESOURCE_EXHAUSTED/UNAVAILABLE or a network error */
  retries: number;
  /** events given up on: still failing after the last attempt, or refused as a whole batch */
  failed: number;
  /** requests (HTTP) or calls (gRPC) made, retries included */
  requests: number;
  /** rejection reasons as the gateway gave them, with counts (the first 20 distinct) */
  rejectReasons: Record<string, number>;
  lastError?: string;
}

export function emptySendStats(): SendStats {
  return { sent: 0, accepted: 0, duplicates: 0, rejected: 0, retries: 0, failed: 0, requests: 0, rejectReasons: {} };
}

export function countRejections(stats: SendStats, rejected: ReadonlyArray<{ reason?: string }>): void {
  stats.rejected += rejected.length;
  for (const { reason = 'unknown' } of rejected) {
    if (reason in stats.rejectReasons || Object.keys(stats.rejectReasons).length < 20) {
      stats.rejectReasons[reason] = (stats.rejectReasons[reason] ?? 0) + 1;
    }
  }
}

/** Sending cannot work at all (a refused API key, a wrong URL): stop the run, do not retry. */
export class FatalSendError extends Error {}

/** A transport to the ingest gateway. */
export interface EventSender {
  readonly stats: SendStats;
  /**
   * Sends one batch, retrying as its answers allow; resolves when the sender can take another.
   * Throws FatalSendError when no request can succeed.
   */
  send(events: WireEvent[]): Promise<void>;
  /** Waits for everything in flight. */
  close(): Promise<void>;
}
