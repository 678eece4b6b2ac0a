import { type AlertV1 } from '@pulse/contracts';

import { status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';

import { type StoredWindow } from '../history/history-series.js';
import { StoreReadError } from '../history/store-history.js';
import { shopValue } from '../synthetic-shop.fixture.js';
import { AnomalyWatcher, type WatchAlerts, type WatcherSettings, type WatchHistory } from './anomaly-watcher.js';

// The watcher's bookkeeping against in-memory stand-ins for the store and the alert stream (the
// full path with NATS and gRPC is anomaly-watch.int.spec.ts).
const HOUR = 3_600_000;
const START = Date.UTC(2026, 8, 7);
const WEEK = START + 1_344 * HOUR;
const DELAY = 310_000;
const closesAt = (start: number) => start + HOUR + DELAY;

const SETTINGS: WatcherSettings = {
  rule: { allowedLatenessMs: 300_000, outOfOrdernessMs: 10_000 },
  lists: { granularities: ['1h'], metrics: ['revenue'], dimensions: [] },
  topProducts: 0,
  historyWindows: () => 1_344,
  catchUpWindows: 3,
  closeWaitMs: 900_000,
  refit: { refitIntervalMs: 86_400_000, refitAfterWindows: 24 },
  absent: 'gap',
  storeTimeoutMs: 5_000,
};

class MemoryStore implements WatchHistory {
  injected = new Map<number, number>();
  live = new Set<number>();
  firstData = START;
  down = false;
  reads: Array<{ from: number; to: number }> = [];

  async windows(_key: string, _series: unknown, from: number, to: number): Promise<StoredWindow[]> {
    if (this.down) throw new StoreReadError(status.UNAVAILABLE, 'connection refused', []);
    this.reads.push({ from, to });
    const windows: StoredWindow[] = [];
    for (let start = Math.max(from, this.firstData); start < to; start += HOUR) {
      const value = shopValue({ seed: 5, injected: this.injected }, 'revenue', start);
      if (value !== undefined) windows.push({ start, value, closed: !this.live.has(start) });
    }
    return windows;
  }

  async top(): Promise<Array<{ dimension: string; overflow: boolean }>> {
    return [];
  }
}

class MemoryAlerts implements WatchAlerts {
  published: AlertV1[] = [];
  failNext = 0;
  retained: AlertV1[] = [];

  async publish(alert: AlertV1): Promise<{ duplicate: boolean }> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('NATS not connected');
    }
    this.published.push(alert);
    return { duplicate: false };
  }

  async recent(): Promise<AlertV1[]> {
    return this.retained;
  }
}

function watcherAt(clock: { now: number }, store = new MemoryStore(), alerts = new MemoryAlerts()) {
  const watcher = new AnomalyWatcher([{ tenant: 'shop-a', apiKey: 'key' }], SETTINGS, store, alerts, () => clock.now);
  return { watcher, store, alerts };
}

describe('anomaly watcher bookkeeping', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));

  it('judges the latest catch-up windows at start-up, then each window once as it closes', async () => {
    const clock = { now: closesAt(WEEK) + 1 };
    const { watcher, store } = watcherAt(clock);
    expect((await watcher.tick()).checked).toBe(3); // WEEK − 2h .. WEEK
    expect(store.reads).toEqual([{ from: WEEK - 2 * HOUR - 1_344 * HOUR, to: WEEK + HOUR }]);
    expect((await watcher.tick()).checked).toBe(0); // nothing new closed: not even a store read
    expect(store.reads).toHaveLength(1);
    clock.now = closesAt(WEEK + HOUR);
    expect((await watcher.tick()).checked).toBe(1);
    expect(store.reads[1]).toEqual({ from: WEEK + HOUR, to: WEEK + 2 * HOUR }); // only the new window
  });

  it('waits for a window whose stored point is not final yet, then judges it', async () => {
    const clock = { now: closesAt(WEEK) + 1 };
    const { watcher, store, alerts } = watcherAt(clock);
    await watcher.tick();
    store.injected.set(WEEK + HOUR, 3);
    store.live.add(WEEK + HOUR);
    clock.now = closesAt(WEEK + HOUR) + 60_000;
    expect((await watcher.tick()).checked).toBe(0);
    store.live.delete(WEEK + HOUR);
    clock.now += 60_000;
    const report = await watcher.tick();
    expect(report.raised.map((alert) => alert.window_start)).toEqual([WEEK + HOUR]);
    expect(alerts.published).toHaveLength(1);
  });

  it('judges a window that never becomes final once the close wait is over', async () => {
    const clock = { now: closesAt(WEEK) + 1 };
    const { watcher, store } = watcherAt(clock);
    await watcher.tick();
    store.live.add(WEEK + HOUR);
    clock.now = closesAt(WEEK + HOUR) + SETTINGS.closeWaitMs - 1;
    expect((await watcher.tick()).checked).toBe(0);
    clock.now += 1;
    expect((await watcher.tick()).checked).toBe(1);
  });

  it('keeps an anomalous window due while its alert cannot be published, and raises it once on the next tick', async () => {
    const clock = { now: closesAt(WEEK) + 1 };
    const { watcher, store, alerts } = watcherAt(clock);
    await watcher.tick();
    store.injected.set(WEEK + HOUR, 0.2);
    clock.now = closesAt(WEEK + HOUR);
    alerts.failNext = 1;
    const failed = await watcher.tick();
    expect([failed.raised.length, failed.failures]).toEqual([0, 1]);
    const retried = await watcher.tick();
    expect(retried.raised.map((alert) => `${alert.direction} ${alert.window_start}`)).toEqual([`drop ${WEEK + HOUR}`]);
    expect((await watcher.tick()).raised).toEqual([]);
    expect(alerts.published).toHaveLength(1);
  });

  it('does not raise again what the stream already holds (a previous instance raised it)', async () => {
    const store = new MemoryStore();
    store.injected.set(WEEK, 4);
    const first = watcherAt({ now: closesAt(WEEK) + 1 }, store);
    const [alert] = (await first.watcher.tick()).raised;
    expect(alert.id).toBe(`shop-a:revenue:all:1h:${WEEK}`);

    const restarted = watcherAt({ now: closesAt(WEEK) + 120_000 }, store);
    restarted.alerts.retained = [alert];
    const report = await restarted.watcher.tick();
    expect(report.checked).toBe(3);
    expect(report.raised).toEqual([]);
  });

  it('fails the tenant’s tick while the store is unreachable and catches up on the latest windows after', async () => {
    const clock = { now: closesAt(WEEK) + 1 };
    const { watcher, store } = watcherAt(clock);
    await watcher.tick();
    store.down = true;
    clock.now = closesAt(WEEK + 10 * HOUR);
    expect((await watcher.tick()).failures).toBe(1);
    store.down = false;
    const report = await watcher.tick();
    expect(report.checked).toBe(3); // WEEK + 8h .. WEEK + 10h: the model is refitted before them
    expect(store.reads.at(-1)).toEqual({ from: WEEK + 8 * HOUR - 1_344 * HOUR, to: WEEK + 11 * HOUR });
  });

  it('starts watching a young series once its history is long enough for a model', async () => {
    const clock = { now: closesAt(WEEK) + 1 };
    const store = new MemoryStore();
    store.firstData = WEEK - 40 * HOUR; // 38 windows before the first one judged
    const { watcher } = watcherAt(clock, store);
    expect(await watcher.tick()).toMatchObject({ checked: 0, failures: 0 });
    clock.now = closesAt(WEEK + 12 * HOUR);
    expect((await watcher.tick()).checked).toBe(3); // 48 windows before WEEK + 10h
  });
});
