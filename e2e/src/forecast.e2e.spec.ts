import { ForecastClient, MetricsClient, millis, type AlertReconnect } from '@pulse/client';
import { proto } from '@pulse/contracts';
import {
  ensureLocalSecrets,
  freePort,
  LocalPlatform,
  portsWithOffset,
  PrivateNats,
  sharedCassandraEnv,
  workspaceRoot,
} from '@pulse/testing';

import { join } from 'node:path';
import cassandra from 'cassandra-driver';

// The forecast path end to end, every service a process: a shop's purchases with event times over
// the last 100 hours go in through the gateway, the cleaner and the aggregator write hourly revenue
// to the store (Cassandra), the forecast service reads that history through the typed client and
// forecasts it, and its anomaly watcher alerts a revenue spike injected into the hour that just
// closed — seen through ListAlerts and through a WatchAlerts that was open across the forecast
// service's restart.
//
// Time: the events are in the past, so the aggregator gets a lateness of a week (nothing it receives
// is late, whatever order the partitions see), and the forecast service counts a window as closed
// as soon as it ended (its copies of the aggregator's lateness and out-of-orderness are 0, and the
// watcher does not wait for the aggregator's final point): the test itself waits until the store
// holds every event before it asks. History is the minimum that gives the models a backtest: 96
// hourly windows (auto needs 48; 96 leaves 4+ calibration origins for seasonal naive and linear).
const { ForecastModel, AnomalyDirection } = proto.pulse.forecast.v1;
const HOUR = 3_600_000;
const TENANT = 'forecast-e2e';
const HISTORY_WINDOWS = 96;
const CATCH_UP_WINDOWS = 3;
/** Hours of history sent: what the watcher fits on before the windows it judges, and then some. */
const HISTORY_HOURS = HISTORY_WINDOWS + CATCH_UP_WINDOWS + 1;
const PURCHASES_PER_HOUR = 4;

/** The shop's expected hourly revenue (minor units): a daily cycle between 20,000 and 80,000. */
function shape(windowStart: number): number {
  return 50_000 + 30_000 * Math.sin((2 * Math.PI * new Date(windowStart).getUTCHours()) / 24);
}

/** Deterministic noise in [-1, 1) per purchase. */
function noise(n: number): number {
  return ((n * 2_654_435_761) % 10_000) / 5_000 - 1;
}

interface Purchase {
  event_id: string;
  type: 'purchase';
  occurred_at: number;
  user_id: string;
  order_id: string;
  price: string;
  quantity: number;
}

/** One hour's purchases (each a quarter of the hour's revenue, ±3 %), times `factor`. */
function purchasesOf(windowStart: number, factor = 1): { events: Purchase[]; revenue: number } {
  const events: Purchase[] = [];
  let revenue = 0;
  for (let i = 0; i < PURCHASES_PER_HOUR; i += 1) {
    const n = windowStart / HOUR + i * 0.25;
    const minor = Math.round((shape(windowStart) / PURCHASES_PER_HOUR) * (1 + 0.03 * noise(n * 4)) * factor);
    revenue += minor;
    events.push({
      event_id: `fe2e-${windowStart}-${i}-${factor}`,
      type: 'purchase',
      occurred_at: windowStart + (i * 15 + 5) * 60_000,
      user_id: `u-${(windowStart / HOUR + i) % 23}`,
      order_id: `o-${windowStart}-${i}`,
      price: (minor / 100).toFixed(2),
      quantity: 1,
    });
  }
  return { events, revenue };
}

async function post(url: string, apiKey: string, events: object[]): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ events }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { accepted: number }).accepted;
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('forecast path: gateway → aggregator → store → forecast service (Forecast, Backtest, anomaly alerts)', () => {
  const ports = portsWithOffset(14_000);
  const runDir = join(workspaceRoot, '.run/test/e2e-forecast');
  const secrets = ensureLocalSecrets(runDir, [TENANT]);
  const began = Date.now();
  /** The spiked window: the hour that closed last before the test began. */
  const spike = Math.floor(began / HOUR) * HOUR - HOUR;
  const firstHour = spike - HISTORY_HOURS * HOUR;
  const spikeId = `${TENANT}:revenue:all:1h:${spike}`;
  const keyspace = `pulse_e2e_fc_${Date.now().toString(36)}`;
  let nats: PrivateNats;
  let platform: LocalPlatform;
  let metrics: MetricsClient;
  let forecasts: ForecastClient;
  const revenueOf = new Map<number, number>();

  /** Hourly revenue the store holds for [from, to). */
  async function storedRevenue(from: number, to: number): Promise<Map<number, number>> {
    const response = await metrics.getSeries({
      metric: 'revenue',
      dimension: 'all',
      granularity: proto.pulse.store.v1.Granularity.GRANULARITY_HOUR,
      from,
      to,
    });
    return new Map(response.points.map((point) => [millis(point.windowStart), point.value]));
  }

  beforeAll(async () => {
    // A NATS server of this test's own: no other run's streams, consumers or checkpoints.
    nats = new PrivateNats(await freePort());
    await nats.start();
    platform = new LocalPlatform({
      runDir,
      ports,
      secrets,
      keyspace,
      partitions: 4,
      infraEnv: sharedCassandraEnv(nats.url),
      extraEnv: {
        aggregator: { PULSE_AGGREGATOR_ALLOWED_LATENESS_MS: String(7 * 24 * HOUR) },
        forecast: {
          // The watcher starts later (see the alert test): its first tick must find the spike stored.
          PULSE_FORECAST_WATCH_KEYS_FILE: '',
          PULSE_AGGREGATOR_ALLOWED_LATENESS_MS: '0',
          PULSE_AGGREGATOR_OUT_OF_ORDERNESS_MS: '0',
          PULSE_FORECAST_HISTORY_WINDOWS_1H: String(HISTORY_WINDOWS),
          PULSE_FORECAST_WATCH_INTERVAL_MS: '1000',
          PULSE_FORECAST_WATCH_METRICS: 'revenue',
          PULSE_FORECAST_WATCH_TOP_PRODUCTS: '0',
          PULSE_FORECAST_WATCH_CATCH_UP_WINDOWS: String(CATCH_UP_WINDOWS),
          PULSE_FORECAST_WATCH_CLOSE_WAIT_MS: '0',
        },
      },
    });
    await platform.start();
    metrics = new MetricsClient({ address: `127.0.0.1:${ports.storeGrpc}`, apiKey: secrets.apiKeys[TENANT] });
    forecasts = new ForecastClient({
      address: `127.0.0.1:${ports.forecastGrpc}`,
      apiKey: secrets.apiKeys[TENANT],
      deadlineMs: 30_000,
    });

    // The history, oldest first, in batches of 100 events.
    const events: Purchase[] = [];
    for (let start = firstHour; start < spike; start += HOUR) {
      const hour = purchasesOf(start);
      revenueOf.set(start, hour.revenue);
      events.push(...hour.events);
    }
    let accepted = 0;
    for (let i = 0; i < events.length; i += 100) {
      accepted += await post(
        `http://127.0.0.1:${ports.gatewayHttp}/v1/events`,
        secrets.apiKeys[TENANT],
        events.slice(i, i + 100),
      );
    }
    expect(accepted).toBe(events.length);
    await eventually(
      () => storedRevenue(firstHour, spike),
      (stored) => [...revenueOf].every(([start, revenue]) => stored.get(start) === revenue),
      60_000,
      'the history in the store',
    );
  }, 240_000);

  afterAll(async () => {
    forecasts?.close();
    metrics?.close();
    const codes = await platform?.stop();
    await nats?.destroy();
    const cql = new cassandra.Client({
      contactPoints: [process.env.PULSE_CASSANDRA_CONTACT_POINTS!],
      localDataCenter: process.env.PULSE_CASSANDRA_LOCAL_DC!,
    });
    await cql.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await cql.shutdown();
    // Graceful shutdown is part of the contract: every service drains and exits 0 on SIGTERM.
    expect(Object.values(codes ?? {}).every((code) => code === 0)).toBe(true);
  }, 120_000);

  it('forecasts the next day of revenue from the store history: the daily shape, inside the intervals', async () => {
    const response = await forecasts.forecast({
      metric: 'revenue',
      dimension: 'all',
      granularity: '1h',
      intervalLevels: [0.8, 0.95],
    });
    const historyEnd = millis(response.historyEnd);
    expect(historyEnd).toBeGreaterThanOrEqual(spike + HOUR); // every hour that ended before the call
    expect(historyEnd - millis(response.historyStart)).toBeLessThanOrEqual(HISTORY_WINDOWS * HOUR);
    expect(millis(response.historyStart)).toBeGreaterThanOrEqual(firstHour);
    expect(response.requestedModel).toBe(ForecastModel.FORECAST_MODEL_AUTO);
    expect([
      ForecastModel.FORECAST_MODEL_SEASONAL_NAIVE,
      ForecastModel.FORECAST_MODEL_LINEAR,
      ForecastModel.FORECAST_MODEL_HOLT_WINTERS,
    ]).toContain(response.model);
    // auto compared its candidates on a backtest: each scored, the chosen one the best of them.
    expect(response.scores.length).toBeGreaterThanOrEqual(2);
    for (const score of response.scores) {
      expect(Number.isFinite(score.mase) && score.mase > 0).toBe(true);
      expect(score.smape).toBeLessThan(20);
      expect(score.points).toBeGreaterThan(0);
    }
    const chosen = response.scores.find((score) => score.model === response.model)!;
    expect(chosen.mase).toBe(Math.min(...response.scores.map((score) => score.mase)));

    expect(response.points).toHaveLength(24);
    let inside = 0;
    let relativeError = 0;
    response.points.forEach((point, i) => {
      expect(millis(point.windowStart)).toBe(historyEnd + i * HOUR);
      const [p80, p95] = point.intervals;
      expect([p80.level, p95.level]).toEqual([0.8, 0.95]);
      expect(0 <= p95.lower && p95.lower <= p80.lower && p80.lower <= point.value).toBe(true);
      expect(point.value <= p80.upper && p80.upper <= p95.upper).toBe(true);
      const expected = shape(millis(point.windowStart));
      if (expected >= p95.lower && expected <= p95.upper) inside += 1;
      relativeError += Math.abs(point.value - expected) / expected;
    });
    expect(inside).toBeGreaterThanOrEqual(22);
    expect(relativeError / 24).toBeLessThan(0.1);
    // The forecast follows the cycle: its peak and trough are the shape's (06:00 and 18:00 UTC) within 2 h.
    const hourOf = (i: number) => new Date(millis(response.points[i].windowStart)).getUTCHours();
    const values = response.points.map((point) => point.value);
    const circular = (a: number, b: number) => Math.min(Math.abs(a - b), 24 - Math.abs(a - b));
    expect(circular(hourOf(values.indexOf(Math.max(...values))), 6)).toBeLessThanOrEqual(2);
    expect(circular(hourOf(values.indexOf(Math.min(...values))), 18)).toBeLessThanOrEqual(2);
  }, 60_000);

  it('backtests the models on the same origins of the stored history', async () => {
    const response = await forecasts.backtest({
      metric: 'revenue',
      horizon: 12,
      origins: 3,
      models: [
        ForecastModel.FORECAST_MODEL_AUTO,
        ForecastModel.FORECAST_MODEL_SEASONAL_NAIVE,
        ForecastModel.FORECAST_MODEL_LINEAR,
      ],
      intervalLevels: [0.95],
    });
    expect(response.origins).toHaveLength(3);
    expect(response.models.map((model) => model.model)).toEqual([
      ForecastModel.FORECAST_MODEL_AUTO,
      ForecastModel.FORECAST_MODEL_SEASONAL_NAIVE,
      ForecastModel.FORECAST_MODEL_LINEAR,
    ]);
    for (const model of response.models) {
      expect(model.points).toBeGreaterThanOrEqual(33); // 3 × 12, less a window the store may not have yet
      expect(Number.isFinite(model.mase) && model.mase > 0).toBe(true);
      expect(model.smape).toBeLessThan(20);
      expect(model.coverage[0].coverage).toBeGreaterThanOrEqual(0.5);
      expect(model.chosen.reduce((sum, choice) => sum + choice.origins, 0)).toBe(3);
    }
    const [auto, naive] = response.models;
    expect(auto.mase).toBeLessThanOrEqual(naive.mase * 1.05);
  }, 60_000);

  it('alerts a revenue spike in the hour that just closed: ListAlerts, and a WatchAlerts open across a restart', async () => {
    const reconnects: AlertReconnect[] = [];
    const watch = forecasts.watchAlerts({ onReconnect: (reconnect) => reconnects.push(reconnect) });
    const watched: proto.pulse.forecast.v1.Alert[] = [];
    const watching = (async () => {
      for await (const alert of watch) watched.push(alert);
    })();
    try {
      // Three times the hour's usual revenue.
      const { events, revenue } = purchasesOf(spike, 3);
      expect(await post(`http://127.0.0.1:${ports.gatewayHttp}/v1/events`, secrets.apiKeys[TENANT], events)).toBe(
        events.length,
      );
      await eventually(
        () => storedRevenue(spike, spike + HOUR),
        (stored) => stored.get(spike) === revenue,
        60_000,
        'the spike in the store',
      );

      // The watcher on: the forecast service restarts with its keys; the open watch reconnects.
      await platform.reconfigure('forecast', { PULSE_FORECAST_WATCH_KEYS_FILE: secrets.watchKeysFile });
      const deadline = Date.now() + 60_000;
      while (!watched.some((alert) => alert.id === spikeId)) {
        if (Date.now() > deadline)
          throw new Error(`no alert ${spikeId}; watched ${JSON.stringify(watched.map((a) => a.id))}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const alert = watched.find((candidate) => candidate.id === spikeId)!;
      expect(alert).toMatchObject({
        metric: 'revenue',
        dimension: 'all',
        granularity: '1h',
        direction: AnomalyDirection.ANOMALY_DIRECTION_SPIKE,
        actual: revenue,
      });
      expect([millis(alert.windowStart), millis(alert.windowEnd)]).toEqual([spike, spike + HOUR]);
      expect(alert.expected!.upper).toBeLessThan(revenue);
      expect(Math.abs(alert.expected!.mean - shape(spike)) / shape(spike)).toBeLessThan(0.15);
      expect(millis(alert.raisedAt)).toBeGreaterThanOrEqual(spike + HOUR);
      expect(reconnects.length).toBeGreaterThan(0);

      const listed = [];
      for await (const page of forecasts.listAlertsPages({ since: began - 60_000 })) listed.push(...page.alerts);
      expect(listed.filter((candidate) => candidate.id === spikeId)).toEqual([alert]);
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // more ticks: nothing raised twice
      expect(new Set(watched.map((candidate) => candidate.id)).size).toBe(watched.length);
    } finally {
      watch.cancel();
      await watching;
    }
    process.stdout.write(
      `\n[e2e forecast] ${HISTORY_HOURS} h of history, spike alert raised ${((Date.now() - began) / 1000).toFixed(1)} s after the test began\n`,
    );
  }, 150_000);
});
