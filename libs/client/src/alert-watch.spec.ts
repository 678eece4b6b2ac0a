import { type proto } from '@pulse/contracts';

import { status } from '@grpc/grpc-js';

import {
  AlertResumePoint,
  reconnectDelay,
  reconnectingAlerts,
  type AlertCall,
  type AlertReconnect,
} from './alert-watch.js';
import { millis } from './timestamps.js';

type Alert = proto.pulse.forecast.v1.Alert;

const T0 = Date.UTC(2026, 10, 24, 10);

function alert(sequence: number): Alert {
  return { id: `a-${sequence}`, streamSequence: sequence } as Alert;
}

function grpcError(code: number, details = 'gone') {
  return Object.assign(new Error(details), { code, details });
}

/**
 * A scripted WatchAlerts call: delivers `alerts`, then ends with `end` (an error, 'end' for a
 * normal end, or 'hang' to wait until cancelled, which ends it with CANCELLED as grpc-js does).
 */
function scriptedCall(alerts: Alert[], end: Error | 'end' | 'hang') {
  let cancelled = false;
  let wake: (() => void) | undefined;
  const call: AlertCall & { cancelled: () => boolean } = {
    cancelled: () => cancelled,
    cancel: () => {
      cancelled = true;
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      for (const next of alerts) {
        if (cancelled) throw grpcError(status.CANCELLED, 'Cancelled on client');
        yield { alert: next };
      }
      if (end === 'end') return;
      if (end === 'hang') {
        if (!cancelled) await new Promise<void>((resolve) => (wake = resolve));
        throw grpcError(status.CANCELLED, 'Cancelled on client');
      }
      throw end;
    },
  };
  return call;
}

/** A fake clock that moves only when told, and a sleep that records its delays and returns at once. */
function harness(calls: Array<ReturnType<typeof scriptedCall>>) {
  let now = T0;
  const opened: Array<number | undefined> = [];
  const slept: number[] = [];
  return {
    opened,
    slept,
    advance: (ms: number) => (now += ms),
    clock: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
    },
    open: (since: proto.google.protobuf.Timestamp | undefined) => {
      opened.push(since === undefined ? undefined : millis(since));
      const call = calls.shift();
      if (!call) throw new Error('no more scripted calls');
      return call;
    },
  };
}

async function collect(iterable: AsyncIterable<Alert>): Promise<string[]> {
  const ids: string[] = [];
  for await (const next of iterable) ids.push(next.id);
  return ids;
}

describe('AlertResumePoint', () => {
  it('resumes at the start of the watch while no alert arrived, or at the since asked for', () => {
    expect(new AlertResumePoint(T0, undefined, 60_000).since()).toBe(T0);
    expect(new AlertResumePoint(T0, T0 - 3_600_000, 60_000).since()).toBe(T0 - 3_600_000);
  });

  it('resumes an overlap before the last arrival, never before the since asked for', () => {
    const resume = new AlertResumePoint(T0, undefined, 60_000);
    expect(resume.accept(alert(7), T0 + 600_000)).toBe(true);
    expect(resume.since()).toBe(T0 + 540_000);
    const early = new AlertResumePoint(T0, T0 - 10_000, 60_000);
    early.accept(alert(1), T0 + 5_000);
    expect(early.since()).toBe(T0 - 10_000);
  });

  it('accepts each stream sequence once and nothing older than the last one', () => {
    const resume = new AlertResumePoint(T0, undefined, 60_000);
    expect([3, 3, 2, 4, 5, 4].map((sequence) => resume.accept(alert(sequence), T0))).toEqual([
      true,
      false,
      false,
      true,
      true,
      false,
    ]);
  });
});

describe('reconnectDelay', () => {
  it('doubles from the initial delay and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 20].map((attempt) => reconnectDelay(attempt, 250, 5_000))).toEqual([
      250, 500, 1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
  });
});

describe('reconnectingAlerts', () => {
  it('passes the alerts of one call through and ends when the server ends the call', async () => {
    const h = harness([scriptedCall([alert(1), alert(2)], 'end')]);
    const ids = await collect(reconnectingAlerts(h.open, { signal: new AbortController().signal }, h.clock, h.sleep));
    expect(ids).toEqual(['a-1', 'a-2']);
    expect(h.opened).toEqual([undefined]);
  });

  it('reconnects on UNAVAILABLE, replays from the resume point and drops what the replay repeats', async () => {
    const first = scriptedCall([alert(4), alert(5)], grpcError(status.UNAVAILABLE, 'Connection dropped'));
    const second = scriptedCall([alert(4), alert(5), alert(6)], grpcError(status.UNAVAILABLE));
    const third = scriptedCall([alert(6), alert(7)], 'end');
    const h = harness([first, second, third]);
    const reconnects: AlertReconnect[] = [];
    const ids = await collect(
      reconnectingAlerts(
        h.open,
        { since: T0 - 3_600_000, signal: new AbortController().signal, onReconnect: (r) => reconnects.push(r) },
        h.clock,
        h.sleep,
      ),
    );
    expect(ids).toEqual(['a-4', 'a-5', 'a-6', 'a-7']);
    // The first call replays from the since asked for; the reconnects an overlap (60 s) before the last arrival.
    expect(h.opened).toEqual([T0 - 3_600_000, T0 - 60_000, T0 - 60_000]);
    expect(reconnects.map((r) => [r.code, r.attempt, r.delayMs])).toEqual([
      [status.UNAVAILABLE, 1, 250],
      [status.UNAVAILABLE, 1, 250],
    ]);
    expect(reconnects[0].details).toBe('Connection dropped');
  });

  it('backs off further while the service stays away, and gives up after maxAttempts with its error', async () => {
    const unavailable = () => scriptedCall([], grpcError(status.UNAVAILABLE, 'No connection established'));
    const h = harness([unavailable(), unavailable(), unavailable(), unavailable()]);
    const watching = collect(
      reconnectingAlerts(
        h.open,
        { signal: new AbortController().signal, reconnect: { maxAttempts: 3, initialDelayMs: 100 } },
        h.clock,
        h.sleep,
      ),
    );
    await expect(watching).rejects.toMatchObject({ code: status.UNAVAILABLE });
    expect(h.slept).toEqual([100, 200, 400]);
    expect(h.opened).toHaveLength(4);
  });

  it('resumes an overlap before the last arrival when it reconnects without a since of its own', async () => {
    const h = harness([]);
    const first = scriptedCall([alert(1)], grpcError(status.UNAVAILABLE));
    const calls = [first, scriptedCall([alert(1), alert(2)], 'end')];
    const open = (since: proto.google.protobuf.Timestamp | undefined) => {
      h.opened.push(since === undefined ? undefined : millis(since));
      h.advance(120_000); // each call's alert arrives two minutes after it opened
      return calls.shift() as AlertCall;
    };
    const ids = await collect(
      reconnectingAlerts(
        open,
        { signal: new AbortController().signal, reconnect: { overlapMs: 30_000 } },
        h.clock,
        h.sleep,
      ),
    );
    expect(ids).toEqual(['a-1', 'a-2']);
    expect(h.opened).toEqual([undefined, T0 + 120_000 - 30_000]);
  });

  it('throws errors other than UNAVAILABLE, and UNAVAILABLE too with reconnect: false', async () => {
    const denied = harness([scriptedCall([], grpcError(status.UNAUTHENTICATED, 'unknown API key'))]);
    await expect(
      collect(reconnectingAlerts(denied.open, { signal: new AbortController().signal }, denied.clock, denied.sleep)),
    ).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    const once = harness([scriptedCall([alert(1)], grpcError(status.UNAVAILABLE))]);
    const seen: string[] = [];
    const watching = (async () => {
      for await (const next of reconnectingAlerts(
        once.open,
        { signal: new AbortController().signal, reconnect: false },
        once.clock,
        once.sleep,
      ))
        seen.push(next.id);
    })();
    await expect(watching).rejects.toMatchObject({ code: status.UNAVAILABLE });
    expect(seen).toEqual(['a-1']);
    expect(once.opened).toHaveLength(1);
  });

  it('ends quietly and cancels the call when the signal aborts mid-call', async () => {
    const call = scriptedCall([alert(1)], 'hang');
    const h = harness([call]);
    const controller = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      for await (const next of reconnectingAlerts(h.open, { signal: controller.signal }, h.clock, h.sleep)) {
        seen.push(next.id);
        setImmediate(() => controller.abort());
      }
    })();
    await expect(watching).resolves.toBeUndefined();
    expect(seen).toEqual(['a-1']);
    expect(call.cancelled()).toBe(true);
  });

  it('cancels the call when the consumer breaks out of the loop', async () => {
    const call = scriptedCall([alert(1), alert(2)], 'hang');
    const h = harness([call]);
    for await (const next of reconnectingAlerts(h.open, { signal: new AbortController().signal }, h.clock, h.sleep)) {
      expect(next.id).toBe('a-1');
      break;
    }
    expect(call.cancelled()).toBe(true);
  });

  it('opens no call for a signal aborted before it started', async () => {
    const h = harness([]);
    const controller = new AbortController();
    controller.abort();
    await expect(collect(reconnectingAlerts(h.open, { signal: controller.signal }, h.clock, h.sleep))).resolves.toEqual(
      [],
    );
    expect(h.opened).toEqual([]);
  });
});
