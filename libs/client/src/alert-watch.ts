import { type proto } from '@pulse/contracts';

import { status } from '@grpc/grpc-js';

import { timestamp } from './timestamps.js';

type Alert = proto.pulse.forecast.v1.Alert;
type Timestamp = proto.google.protobuf.Timestamp;

/** One WatchAlerts call as the watch loop sees it: its responses, and a way to end it. */
export interface AlertCall extends AsyncIterable<proto.pulse.forecast.v1.WatchAlertsResponse> {
  cancel(): void;
}

/** Opens a WatchAlerts call replaying from `since` (undefined: only alerts raised from now on). */
export type OpenAlertCall = (since: Timestamp | undefined) => AlertCall;

/** Why and when the watch reconnects (for a message to the user). */
export interface AlertReconnect {
  /** gRPC status code of the call that ended, e.g. 14 (UNAVAILABLE). */
  readonly code: number;
  readonly details: string;
  /** Reconnect attempt, 1 for the first after a working call. */
  readonly attempt: number;
  readonly delayMs: number;
}

export interface ReconnectPolicy {
  /** Attempts in a row before the watch gives up and throws the last error; default unlimited. */
  readonly maxAttempts?: number;
  /** Delay before the first attempt, doubled per attempt up to `maxDelayMs`; default 250 ms. */
  readonly initialDelayMs?: number;
  /** Default 5 s. */
  readonly maxDelayMs?: number;
  /**
   * How far before the last alert's arrival a reconnect replays from (default 60 s): `since` is a
   * time on the server's clock, so this covers clock skew and delivery delay. What the replay
   * repeats is dropped by stream sequence.
   */
  readonly overlapMs?: number;
}

export interface WatchAlertsOptions {
  /** Replay the alerts raised at or after this time first (epoch ms); default only new ones. */
  readonly since?: number;
  /** Ends the watch (the iteration finishes without an error). */
  readonly signal?: AbortSignal;
  /** Reconnect on UNAVAILABLE (the service restarted or went away); `false` throws instead. Default on. */
  readonly reconnect?: boolean | ReconnectPolicy;
  /** Called before each reconnect attempt. */
  readonly onReconnect?: (reconnect: AlertReconnect) => void;
}

/** A running WatchAlerts: iterate it once for the alerts; `cancel()` ends the iteration. */
export interface AlertWatch extends AsyncIterable<Alert> {
  cancel(): void;
}

/** A call that lasted this long was connected: the next failure starts the attempts over. */
const STABLE_CALL_MS = 10_000;

/**
 * Where a reconnecting watch resumes: alerts come in stream order, so the last stream sequence
 * seen tells a replayed alert from a new one, and the last arrival (less an overlap) is a safe
 * `since` for the replay. Without any alert yet it resumes at the caller's `since`, or at the time
 * the watch started (the alerts raised after it began are the ones asked for).
 */
export class AlertResumePoint {
  private lastSequence = 0;
  private lastArrival?: number;

  constructor(
    private readonly startedAt: number,
    private readonly requestedSince: number | undefined,
    private readonly overlapMs: number,
  ) {}

  /** Records an arriving alert; false when the watch has delivered it already. */
  accept(alert: Pick<Alert, 'streamSequence'>, arrivedAt: number): boolean {
    const sequence = Number(alert.streamSequence);
    if (sequence <= this.lastSequence) return false;
    this.lastSequence = sequence;
    this.lastArrival = arrivedAt;
    return true;
  }

  /** The `since` (epoch ms) of the next call. */
  since(): number {
    const floor = this.requestedSince ?? this.startedAt;
    return this.lastArrival === undefined ? floor : Math.max(floor, this.lastArrival - this.overlapMs);
  }
}

/** The delay before reconnect attempt `attempt` (1, 2, ...): exponential, capped. */
export function reconnectDelay(attempt: number, initialDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, attempt - 1));
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function statusOf(error: unknown): { code: number; details: string } | undefined {
  const { code, details } = (error ?? {}) as { code?: unknown; details?: unknown };
  return typeof code === 'number' ? { code, details: typeof details === 'string' ? details : '' } : undefined;
}

/**
 * The alerts of a sequence of WatchAlerts calls as one iteration: a call that ends with
 * UNAVAILABLE is replaced by a new one (after a backoff) that replays from the resume point, and
 * what the replay repeats is skipped, so every alert is delivered once, in stream order. Aborting
 * `signal` (or breaking out of the loop) cancels the call and ends the iteration quietly.
 */
export async function* reconnectingAlerts(
  open: OpenAlertCall,
  options: WatchAlertsOptions & { signal: AbortSignal },
  clock: () => number = Date.now,
  sleep: (ms: number, signal: AbortSignal) => Promise<void> = abortableSleep,
): AsyncGenerator<Alert, void, undefined> {
  const { signal } = options;
  const policy = options.reconnect === false ? undefined : options.reconnect === true ? {} : (options.reconnect ?? {});
  const maxAttempts = policy?.maxAttempts ?? Number.POSITIVE_INFINITY;
  const resume = new AlertResumePoint(clock(), options.since, policy?.overlapMs ?? 60_000);
  let since = options.since;
  let attempt = 0;
  while (!signal.aborted) {
    const call = open(since === undefined ? undefined : timestamp(since));
    const cancel = () => call.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    const openedAt = clock();
    try {
      for await (const response of call) {
        if (!response.alert) continue;
        attempt = 0;
        if (resume.accept(response.alert, clock())) yield response.alert;
      }
      return; // the server ended the call: nothing more will come
    } catch (error) {
      if (signal.aborted) return;
      const failure = statusOf(error);
      if (!policy || failure?.code !== status.UNAVAILABLE) throw error;
      if (clock() - openedAt >= STABLE_CALL_MS) attempt = 0;
      attempt += 1;
      if (attempt > maxAttempts) throw error;
      const delayMs = reconnectDelay(attempt, policy.initialDelayMs ?? 250, policy.maxDelayMs ?? 5_000);
      options.onReconnect?.({ code: failure.code, details: failure.details, attempt, delayMs });
      await sleep(delayMs, signal);
      since = resume.since();
    } finally {
      signal.removeEventListener('abort', cancel);
      call.cancel();
    }
  }
}
