import { ForecastClient, millis, type AlertReconnect, type WatchAlertsOptions } from '@pulse/client';
import { proto, STREAMS, type AlertV1 } from '@pulse/contracts';
import { freePort, PrivateNats } from '@pulse/testing';

import { status } from '@grpc/grpc-js';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';

import { AlertStream } from '../alerts/alert-stream.js';
import { FakeMetricsStore } from '../fake-metrics-store.fixture.js';
import { forecastTestConfig, KEYS, TENANT_OF_KEY, writeKeyFiles } from '../forecast-test-env.fixture.js';
import { startForecast } from '../forecast.app.js';
import { type ForecastConfig } from '../forecast.config.js';
import { shopValue, type ShopShape } from '../synthetic-shop.fixture.js';
import { AnomalyWatchService } from './anomaly-watch.service.js';

// The anomaly watcher end to end inside one process (issue 6, point 6): a NATS server of this
// test's own (PULSE_ALERTS), a fake MetricsService standing in for the store (the shell is tested
// as a unit against it; the store has its own tests against Cassandra) serving two synthetic
// shops, and the service's clock driven through a simulated week, ticking the watcher every 20
// simulated minutes. shop-a gets a revenue spike and a revenue + orders drop injected; shop-b is
// clean. Alerts are read back over gRPC (ListAlerts, WatchAlerts) and from the stream.
const { AlertSeverity, AnomalyDirection } = proto.pulse.forecast.v1;
const HOUR = 3_600_000;
const START = Date.UTC(2026, 8, 7); // a Monday; eight weeks of history before the watched week
const WEEK_START = START + 1_344 * HOUR; // Monday 2026-11-02 00:00 UTC
const CLOSING_DELAY = 300_000 + 10_000; // allowed lateness + out-of-orderness
const SPIKE = WEEK_START + 38 * HOUR; // Tuesday 14:00: revenue × 2.5
const DROP = WEEK_START + 110 * HOUR; // Friday 14:00: revenue and orders × 0.3 (checkout broken)
const TICK = 20 * 60_000;

const shopA: ShopShape = {
  seed: 1,
  injected: new Map([
    [SPIKE, 2.5],
    [DROP, 0.3],
  ]),
};
const shopB: ShopShape = { seed: 2 };
const product: ShopShape = { seed: 3, scale: 0.5 };

function source(tenant: string, metric: string, dimension: string, granularity: string, windowStart: number) {
  if (granularity !== 'GRANULARITY_HOUR' || windowStart < START) return undefined;
  if (dimension === 'product:SKU-1' && tenant === 'shop-a') return shopValue(product, metric, windowStart);
  if (dimension !== 'all') return undefined;
  if (tenant === 'shop-a') {
    // The spike is revenue only (a few huge orders); the drop takes both down.
    const shape = metric === 'orders' ? { ...shopA, injected: new Map([[DROP, 0.3]]) } : shopA;
    return shopValue(shape, metric, windowStart);
  }
  return shopValue(shopB, metric, windowStart);
}

const closesAt = (windowStart: number) => windowStart + HOUR + CLOSING_DELAY;
const injected = (alert: AlertV1) =>
  (alert.window_start === SPIKE && alert.metric === 'revenue') || alert.window_start === DROP;

/** A WatchAlerts of the typed client, followed in the background: what arrived, and how it ended. */
interface FollowedWatch {
  readonly alerts: proto.pulse.forecast.v1.Alert[];
  readonly reconnects: AlertReconnect[];
  /** 'done' when the iteration ended quietly (cancelled), else the gRPC code it threw. */
  readonly ended: Promise<'done' | number>;
  waitFor(count: number, timeoutMs?: number): Promise<proto.pulse.forecast.v1.Alert[]>;
  cancel(): void;
}

function follow(client: ForecastClient, options: WatchAlertsOptions = {}): FollowedWatch {
  const alerts: proto.pulse.forecast.v1.Alert[] = [];
  const reconnects: AlertReconnect[] = [];
  const watch = client.watchAlerts({ ...options, onReconnect: (reconnect) => reconnects.push(reconnect) });
  const ended = (async () => {
    try {
      for await (const alert of watch) alerts.push(alert);
      return 'done' as const;
    } catch (error) {
      return (error as { code: number }).code;
    }
  })();
  return {
    alerts,
    reconnects,
    ended,
    cancel: () => watch.cancel(),
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (alerts.length < count) {
        if (Date.now() > deadline) throw new Error(`${alerts.length} of ${count} alerts arrived in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return [...alerts];
    },
  };
}

describe('anomaly watcher over a simulated week (own NATS, fake store, simulated clock)', () => {
  let nats: PrivateNats;
  let nc: NatsConnection;
  let store: FakeMetricsStore;
  let config: ForecastConfig;
  let app: NestFastifyApplication;
  let clientA: ForecastClient;
  let clientB: ForecastClient;
  let watchA: FollowedWatch;
  let watchB: FollowedWatch;
  let now = WEEK_START + CLOSING_DELAY + 60_000;
  /** Every alert the watcher published, with the simulated time of the tick that raised it. */
  const raised: Array<{ alert: AlertV1; tickAt: number }> = [];

  async function start(): Promise<NestFastifyApplication> {
    return startForecast(config, { logger: false, clock: () => now });
  }

  beforeAll(async () => {
    nats = new PrivateNats(await freePort());
    await nats.start();
    nc = await connect({ servers: nats.url });
    store = new FakeMetricsStore(await freePort(), TENANT_OF_KEY, source);
    store.topProducts.set('shop-a', ['product:SKU-1', 'product:__other__']);
    await store.start();
    const { apiKeysFile, watchKeysFile } = writeKeyFiles(['shop-a', 'shop-b']);
    config = forecastTestConfig({
      PULSE_NATS_URL: nats.url,
      PULSE_API_KEYS_FILE: apiKeysFile,
      PULSE_FORECAST_WATCH_KEYS_FILE: watchKeysFile,
      PULSE_STORE_ADDR: store.address,
      PULSE_FORECAST_GRPC_PORT: await freePort(),
      PULSE_FORECAST_HTTP_PORT: await freePort(),
    });
    app = await start();
    const address = `127.0.0.1:${config.PULSE_FORECAST_GRPC_PORT}`;
    clientA = new ForecastClient({ address, apiKey: KEYS.a });
    clientB = new ForecastClient({ address, apiKey: KEYS.b });
    watchA = follow(clientA);
    watchB = follow(clientB);
    await new Promise((resolve) => setTimeout(resolve, 500)); // both watches subscribed

    const watcher = app.get(AnomalyWatchService);
    for (; now <= closesAt(WEEK_START + 167 * HOUR) + TICK; now += TICK) {
      const report = await watcher.tick();
      expect(report?.failures).toBe(0);
      for (const alert of report?.raised ?? []) raised.push({ alert, tickAt: now });
    }
  }, 240_000);

  afterAll(async () => {
    watchA?.cancel();
    watchB?.cancel();
    clientA?.close();
    clientB?.close();
    await app?.close();
    store?.stop();
    await nc?.close();
    await nats?.destroy();
  });

  it('alerts the revenue spike within one window after it closed', () => {
    const spike = raised.find(({ alert }) => alert.window_start === SPIKE && alert.metric === 'revenue');
    expect(spike?.alert).toMatchObject({
      tenant: 'shop-a',
      dimension: 'all',
      granularity: '1h',
      direction: 'spike',
      window_end: SPIKE + HOUR,
      id: `shop-a:revenue:all:1h:${SPIKE}`,
    });
    expect(spike!.alert.actual).toBe(shopValue(shopA, 'revenue', SPIKE));
    expect(spike!.alert.actual).toBeGreaterThan(spike!.alert.expected.upper);
    expect(spike!.tickAt).toBeGreaterThanOrEqual(closesAt(SPIKE));
    expect(spike!.tickAt - closesAt(SPIKE)).toBeLessThanOrEqual(HOUR);
  });

  it('alerts the drop of revenue and of orders within one window after it closed', () => {
    const drops = raised.filter(({ alert }) => alert.window_start === DROP);
    expect(drops.map(({ alert }) => alert.metric).sort()).toEqual(['orders', 'revenue']);
    for (const { alert, tickAt } of drops) {
      expect(alert).toMatchObject({ tenant: 'shop-a', direction: 'drop', severity: 'critical' });
      expect(alert.actual).toBeLessThan(alert.expected.lower);
      expect(tickAt - closesAt(DROP)).toBeLessThanOrEqual(HOUR);
    }
  });

  it('does not let the anomalies drag the model along: the windows after them are not alerted', () => {
    const after = raised.filter(({ alert }) =>
      [SPIKE + HOUR, SPIKE + 2 * HOUR, DROP + HOUR, DROP + 2 * HOUR].includes(alert.window_start),
    );
    expect(after).toEqual([]);
  });

  it('raises at most one false alert in the clean week of each shop', () => {
    const falseA = raised.filter(({ alert }) => alert.tenant === 'shop-a' && !injected(alert));
    const falseB = raised.filter(({ alert }) => alert.tenant === 'shop-b');
    expect(falseA.length).toBeLessThanOrEqual(1);
    expect(falseB.length).toBeLessThanOrEqual(1);
  });

  it('watches the top products by revenue, not the overflow bucket', () => {
    const dimensions = new Set(
      store
        .callsOf('GetSeries')
        .filter((c) => c.tenant === 'shop-a')
        .map((c) => c.request.dimension),
    );
    expect(dimensions).toEqual(new Set(['all', 'product:SKU-1']));
    expect(
      store
        .callsOf('TopDimensions')
        .every((call) => call.request.kind === 'product' && call.request.metric === 'revenue'),
    ).toBe(true);
  });

  it('lists each tenant its own alerts only, oldest first, page by page', async () => {
    const pages: string[][] = [];
    for await (const page of clientA.listAlertsPages({ pageSize: 2 })) pages.push(page.alerts.map((alert) => alert.id));
    const listedA = pages.flat();
    expect(listedA).toEqual(raised.filter(({ alert }) => alert.tenant === 'shop-a').map(({ alert }) => alert.id));
    expect(pages.slice(0, -1).every((page) => page.length === 2)).toBe(true);

    const listedB = (await clientB.listAlerts()).alerts.map((alert) => alert.id);
    expect(listedB).toEqual(raised.filter(({ alert }) => alert.tenant === 'shop-b').map(({ alert }) => alert.id));
    expect(listedB.every((id) => id.startsWith('shop-b:'))).toBe(true);
    // `since` is the stream's time of an alert: nothing was raised after now.
    await expect(clientA.listAlerts({ since: Date.now() + 60_000 })).resolves.toEqual({
      alerts: [],
      nextPageToken: '',
    });
  });

  it('describes an alert over gRPC as the watcher raised it', async () => {
    const { alerts } = await clientA.listAlerts();
    const spike = alerts.find((alert) => alert.id === `shop-a:revenue:all:1h:${SPIKE}`)!;
    const raisedSpike = raised.find(({ alert }) => alert.id === spike.id)!.alert;
    expect(spike).toMatchObject({
      metric: 'revenue',
      dimension: 'all',
      granularity: '1h',
      direction: AnomalyDirection.ANOMALY_DIRECTION_SPIKE,
      severity:
        raisedSpike.severity === 'critical'
          ? AlertSeverity.ALERT_SEVERITY_CRITICAL
          : AlertSeverity.ALERT_SEVERITY_WARNING,
      actual: raisedSpike.actual,
      expected: raisedSpike.expected,
    });
    expect([millis(spike.windowStart), millis(spike.windowEnd), millis(spike.raisedAt)]).toEqual([
      SPIKE,
      SPIKE + HOUR,
      raisedSpike.raised_at,
    ]);
    expect(spike.streamSequence).toBeGreaterThan(0);
  });

  it('streams each tenant its own alerts live (WatchAlerts), never another tenant’s', async () => {
    const countA = raised.filter(({ alert }) => alert.tenant === 'shop-a').length;
    const countB = raised.filter(({ alert }) => alert.tenant === 'shop-b').length;
    await watchA.waitFor(countA);
    if (countB > 0) await watchB.waitFor(countB);
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing more arrives
    expect(watchA.alerts.map((alert) => alert.id)).toEqual(
      raised.filter(({ alert }) => alert.tenant === 'shop-a').map(({ alert }) => alert.id),
    );
    expect(watchB.alerts.map((alert) => alert.id)).toEqual(
      raised.filter(({ alert }) => alert.tenant === 'shop-b').map(({ alert }) => alert.id),
    );
  });

  it('replays alerts from `since` before the live ones', async () => {
    const replay = follow(clientA, { since: 0 });
    const countA = raised.filter(({ alert }) => alert.tenant === 'shop-a').length;
    await expect(replay.waitFor(countA)).resolves.toHaveLength(countA);
    replay.cancel();
    await expect(replay.ended).resolves.toBe('done');
    expect(replay.alerts.map((alert) => alert.id)).toEqual(watchA.alerts.map((alert) => alert.id));
  });

  it('closes the ordered consumer of a watch when the caller cancels', async () => {
    const jsm = await jetstreamManager(nc);
    const names = async () => new Set((await jsm.consumers.list(STREAMS.alerts.name).next()).map((c) => c.name));
    const before = await names();
    const controller = new AbortController();
    const watch = follow(clientB, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const opened = [...(await names())].filter((name) => !before.has(name));
    expect(opened).toHaveLength(1);
    controller.abort();
    await expect(watch.ended).resolves.toBe('done');
    const deadline = Date.now() + 5_000;
    while ((await names()).has(opened[0]) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await names()).has(opened[0])).toBe(false);
  });

  it('publishes one message per alert id: JetStream drops a re-published alert', async () => {
    const stream = app.get(AlertStream);
    const [first] = raised;
    await expect(stream.publish(first.alert)).resolves.toMatchObject({ duplicate: true });
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(STREAMS.alerts.name);
    expect(info.state.messages).toBe(raised.length);
    expect(new Set(raised.map(({ alert }) => alert.id)).size).toBe(raised.length);
  });

  it('does not raise an alert again after a restart that judges its window once more', async () => {
    const listed = async () => (await clientA.listAlerts({ pageSize: 1000 })).alerts.length;
    const before = await listed();
    await app.close();
    // Restarted 10 minutes after the drop closed: catch-up judges the last 6 windows, the drop among them.
    now = closesAt(DROP) + 10 * 60_000;
    app = await start();
    const report = await app.get(AnomalyWatchService).tick();
    expect(report?.checked).toBeGreaterThan(0);
    expect(report?.raised).toEqual([]);
    expect(await listed()).toBe(before);
  });

  it('keeps a watch across the restart: it reconnects and delivers a new alert, and none twice', async () => {
    // watchA was open through the restart above: it reconnected (UNAVAILABLE while the server was
    // down), replaying from a minute before its last alert — which repeats alerts it already has.
    const before = watchA.alerts.map((alert) => alert.id);
    const [{ alert: first }] = raised.filter(({ alert }) => alert.tenant === 'shop-a');
    const windowStart = WEEK_START + 200 * HOUR;
    const fresh = {
      ...first,
      id: `shop-a:revenue:all:1h:${windowStart}`,
      window_start: windowStart,
      window_end: windowStart + HOUR,
    };
    await app.get(AlertStream).publish(fresh);
    await watchA.waitFor(before.length + 1, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing more arrives
    expect(watchA.alerts.map((alert) => alert.id)).toEqual([...before, fresh.id]);
    expect(watchA.reconnects.length).toBeGreaterThan(0);
    expect(watchA.reconnects.every((reconnect) => reconnect.code === status.UNAVAILABLE)).toBe(true);
  });

  it('ends open WatchAlerts calls with UNAVAILABLE when it shuts down, without waiting for them', async () => {
    const address = `127.0.0.1:${config.PULSE_FORECAST_GRPC_PORT}`;
    const client = new ForecastClient({ address, apiKey: KEYS.a });
    const watch = follow(client, { reconnect: false });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const closing = Date.now();
    await app.close();
    expect(Date.now() - closing).toBeLessThan(3_000);
    await expect(watch.ended).resolves.toBe(status.UNAVAILABLE);
    client.close();
    app = await start(); // for afterAll
  });
});
