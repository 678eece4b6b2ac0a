import { ForecastClient, MetricsClient, timestamp } from '@pulse/client';
import { proto, STREAMS } from '@pulse/contracts';
import {
  ensureLocalSecrets,
  freePlatformPorts,
  freePort,
  LocalPlatform,
  PrivateNats,
  sharedCassandraEnv,
  workspaceRoot,
  type PlatformPorts,
  type ServiceName,
} from '@pulse/testing';

import { join } from 'node:path';

import { OtlpReceiver } from './otlp-receiver.js';
import { parsePrometheusText, samplesOf, total, type Scrape } from './prometheus-text.js';

// A small run through the real services, then every service's GET /metrics read as Prometheus
// text: HTTP and gRPC RED, the cleaner's DLQ, the aggregator's late events, window closes and
// checkpoints, the store's Cassandra writes and freshness, and consumer lag draining to 0.
// The gateway, aggregator and forecast run as locally by default (no OTLP endpoint: no SDK, the
// Prometheus endpoint only); the cleaner and the store also push their metrics over OTLP/HTTP JSON
// to a receiver in this process, through the NodeSDK. One partition and a private NATS server, so
// the late event meets the watermark the test's own events advanced.

const TENANT = 'metrics';
const VALID = 5;
const DLQ = 3;

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

describe('metrics: every service serves Prometheus text at /metrics and pushes OTLP when configured', () => {
  const runDir = join(workspaceRoot, '.run/test/e2e-metrics');
  const secrets = ensureLocalSecrets(runDir, [TENANT]);
  const receiver = new OtlpReceiver();
  let nats: PrivateNats;
  let platform: LocalPlatform;
  let ports: PlatformPorts;
  let httpPort: Record<ServiceName, number>;

  async function scrape(service: ServiceName): Promise<Scrape> {
    const response = await fetch(`http://127.0.0.1:${httpPort[service]}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await response.text());
  }

  async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(500);
    }
  }

  async function post(events: object[]): Promise<number> {
    const response = await fetch(`http://127.0.0.1:${ports.gatewayHttp}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': secrets.apiKeys[TENANT] },
      body: JSON.stringify({ events }),
    });
    await response.arrayBuffer();
    return response.status;
  }

  beforeAll(async () => {
    nats = new PrivateNats(await freePort());
    await nats.start();
    const receiverPort = await freePort();
    await receiver.start(receiverPort);
    ports = await freePlatformPorts();
    httpPort = {
      'ingest-gateway': ports.gatewayHttp,
      cleaner: ports.cleanerHttp,
      aggregator: ports.aggregatorHttp,
      store: ports.storeHttp,
      forecast: ports.forecastHttp,
    };
    const otlp = {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiverPort}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    };
    platform = new LocalPlatform({
      runDir,
      ports,
      secrets,
      keyspace: `pulse_metrics_${Date.now().toString(36)}`,
      partitions: 1,
      infraEnv: sharedCassandraEnv(nats.url),
      extraEnv: {
        'ingest-gateway': { PULSE_INGEST_GRPC_PORT: String(await freePort()) },
        cleaner: otlp,
        // Windows close about 3 s after their end once the partition idles (markers every second).
        aggregator: {
          PULSE_AGGREGATOR_EMIT_INTERVAL_MS: '200',
          PULSE_AGGREGATOR_COARSE_EMIT_INTERVAL_MS: '500',
          PULSE_AGGREGATOR_CHECKPOINT_INTERVAL_MS: '500',
          PULSE_AGGREGATOR_OUT_OF_ORDERNESS_MS: '1000',
          PULSE_AGGREGATOR_ALLOWED_LATENESS_MS: '1000',
          PULSE_AGGREGATOR_IDLE_TIMEOUT_MS: '1000',
        },
        store: otlp,
      },
    });
    await platform.start();
  }, 240_000);

  afterAll(async () => {
    const codes = await platform?.stop();
    await receiver.stop();
    await nats?.destroy();
    expect(codes).toEqual({ 'ingest-gateway': 0, cleaner: 0, aggregator: 0, store: 0, forecast: 0 });
  }, 120_000);

  it('counts requests, DLQ and late events, window closes, writes and freshness, and lag drains to 0', async () => {
    const now = Date.now();
    const valid = Array.from({ length: VALID }, (_, i) => ({
      event_id: `valid-${i}`,
      type: 'page_view',
      occurred_at: now - 2_000,
      user_id: `u-${i}`,
      session_id: `s-${i}`,
    }));
    const unknownType = Array.from({ length: DLQ }, (_, i) => ({
      event_id: `dlq-${i}`,
      type: 'teleport',
      occurred_at: now,
      user_id: `u-${i}`,
    }));
    expect(await post(valid)).toBe(202);
    expect(await post(unknownType)).toBe(202);
    // Requests no route matches: a status, never the raw path as a label.
    for (const service of ['ingest-gateway', 'cleaner', 'store'] as const) {
      expect((await fetch(`http://127.0.0.1:${httpPort[service]}/no-such-route/42`)).status).toBe(404);
    }

    await until('the cleaner to handle every event', async () => {
      const cleaner = await scrape('cleaner');
      return total(cleaner, 'pulse_cleaner_events_total') >= VALID + DLQ;
    });
    // The minute window of the valid events closes once the idle partition's watermark passes its end.
    await until(
      'a minute window to close',
      async () =>
        total(await scrape('aggregator'), 'pulse_aggregator_window_close_delay_count', { granularity: '1m' }) > 0,
      100_000,
    );
    // Ten minutes behind a watermark that passed the events' minute: late, to pulse.late.
    expect(await post([{ event_id: 'late-1', type: 'page_view', occurred_at: Date.now() - 10 * 60_000 }])).toBe(202);
    await until(
      'the late event',
      async () => total(await scrape('aggregator'), 'pulse_aggregator_late_events_total') > 0,
    );

    // gRPC reads: the store's GetSeries and the forecast's ListAlerts, both OK.
    const metricsClient = new MetricsClient({
      address: `127.0.0.1:${ports.storeGrpc}`,
      apiKey: secrets.apiKeys[TENANT],
    });
    const series = await metricsClient.getSeries({
      metric: 'events',
      dimension: 'all',
      granularity: proto.pulse.store.v1.Granularity.GRANULARITY_MINUTE,
      from: timestamp(now - 5 * 60_000),
      to: timestamp(now + 60_000),
    });
    expect(series.points.reduce((sum, point) => sum + point.value, 0)).toBe(VALID);
    const forecastClient = new ForecastClient({
      address: `127.0.0.1:${ports.forecastGrpc}`,
      apiKey: secrets.apiKeys[TENANT],
    });
    await forecastClient.listAlerts({});

    // Lag: one gauge per consumer, 0 once everything is processed (refreshed every 5 s).
    const lagOf = async () => ({
      cleaner: samplesOf(await scrape('cleaner'), 'pulse_consumer_lag', {
        stream: STREAMS.raw.name,
        consumer: 'cleaner',
      }),
      aggregator: samplesOf(await scrape('aggregator'), 'pulse_consumer_lag', {
        stream: STREAMS.clean.name,
        consumer: 'aggregator',
        partition: '0',
      }),
      store: samplesOf(await scrape('store'), 'pulse_consumer_lag', { stream: STREAMS.agg.name, consumer: 'store' }),
    });
    await until('every consumer lag at 0', async () => {
      const lag = await lagOf();
      return Object.values(lag).every((samples) => samples.length === 1 && samples[0].value === 0);
    });

    const gateway = await scrape('ingest-gateway');
    const cleaner = await scrape('cleaner');
    const aggregator = await scrape('aggregator');
    const store = await scrape('store');
    const forecast = await scrape('forecast');

    // HTTP RED: the route template, method and status; no scrape or probe counted; no raw path.
    expect(
      total(gateway, 'http_server_request_duration_count', {
        http_route: '/v1/events',
        http_request_method: 'POST',
        http_response_status_code: '202',
      }),
    ).toBe(3);
    expect(total(gateway, 'http_server_request_duration_sum', { http_route: '/v1/events' })).toBeGreaterThan(0);
    expect(gateway.types.get('http_server_request_duration')).toBe('histogram');
    for (const scrapeOf of [gateway, cleaner, store]) {
      const notFound = samplesOf(scrapeOf, 'http_server_request_duration_count', { http_response_status_code: '404' });
      expect(notFound).toHaveLength(1);
      expect(notFound[0].labels.http_route).toBeUndefined();
      const series = samplesOf(scrapeOf, 'http_server_request_duration_count');
      expect(
        series.filter((sample) => /metrics|healthz|readyz|no-such-route/.test(JSON.stringify(sample.labels))),
      ).toEqual([]);
      // One series per request: the HTTP instrumentation's own copy (cleaner and store run the SDK) is dropped.
      expect(series.every((sample) => sample.labels.otel_scope_name?.startsWith('pulse-'))).toBe(true);
    }
    expect(total(gateway, 'pulse_ingest_events_total', { outcome: 'accepted' })).toBe(VALID + DLQ + 1);

    // Cleaner: clean and dead-lettered events by reason and tenant.
    expect(total(cleaner, 'pulse_cleaner_dlq_events_total', { reason: 'unknown_type', tenant: TENANT })).toBe(DLQ);
    expect(total(cleaner, 'pulse_cleaner_dlq_events_total')).toBe(DLQ);
    expect(total(cleaner, 'pulse_cleaner_events_total', { outcome: 'clean' })).toBe(VALID + 1);
    expect(total(cleaner, 'pulse_cleaner_events_total', { outcome: 'dlq' })).toBe(DLQ);

    // Aggregator: the late event, window closes (delay ≥ 0, all under 2 min), checkpoints.
    expect(
      total(aggregator, 'pulse_aggregator_late_events_total', { tenant: TENANT, reason: 'beyond_allowed_lateness' }),
    ).toBe(1);
    const closes = total(aggregator, 'pulse_aggregator_window_close_delay_count', { granularity: '1m' });
    const closeSum = total(aggregator, 'pulse_aggregator_window_close_delay_sum', { granularity: '1m' });
    expect(closes).toBeGreaterThanOrEqual(1);
    expect(closeSum).toBeGreaterThanOrEqual(0);
    expect(closeSum / closes).toBeLessThan(120);
    expect(total(aggregator, 'pulse_aggregator_window_close_delay_bucket', { granularity: '1m', le: '120' })).toBe(
      closes,
    );
    const age = samplesOf(aggregator, 'pulse_aggregator_checkpoint_age');
    expect(age).toHaveLength(1);
    expect(age[0].value).toBeGreaterThanOrEqual(0);
    expect(age[0].value).toBeLessThan(30);
    expect(total(aggregator, 'pulse_aggregator_checkpoint_saves_total', { outcome: 'ok' })).toBeGreaterThan(0);
    expect(total(aggregator, 'pulse_aggregator_checkpoint_saves_total', { outcome: 'error' })).toBe(0);

    // Store: Cassandra write latency, freshness within a minute, partials stored, gRPC OK.
    const writes = total(store, 'pulse_store_cassandra_write_duration_count', {
      table: 'series_partials',
      outcome: 'ok',
    });
    expect(writes).toBeGreaterThan(0);
    expect(total(store, 'pulse_store_cassandra_write_duration_sum', { table: 'series_partials' })).toBeGreaterThan(0);
    expect(total(store, 'pulse_store_cassandra_write_duration_count', { outcome: 'error' })).toBe(0);
    const fresh = total(store, 'pulse_store_freshness_count');
    expect(fresh).toBeGreaterThan(0);
    expect(total(store, 'pulse_store_freshness_bucket', { le: '60' })).toBe(fresh);
    expect(total(store, 'pulse_store_freshness_sum')).toBeGreaterThan(0);
    expect(total(store, 'pulse_store_partials_total', { outcome: 'stored' })).toBeGreaterThan(0);
    expect(total(store, 'pulse_store_partials_total', { outcome: 'malformed' })).toBe(0);
    expect(
      total(store, 'rpc_server_call_duration_count', {
        rpc_system_name: 'grpc',
        rpc_method: 'pulse.store.v1.MetricsService/GetSeries',
        rpc_status_code: 'OK',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      total(forecast, 'rpc_server_call_duration_count', {
        rpc_method: 'pulse.forecast.v1.ForecastService/ListAlerts',
        rpc_status_code: 'OK',
      }),
    ).toBeGreaterThanOrEqual(1);
    // Health checks are not calls anybody waits on: not counted.
    expect(
      samplesOf(store, 'rpc_server_call_duration_count').every((s) => !s.labels.rpc_method.startsWith('grpc.')),
    ).toBe(true);

    // OTLP: the cleaner's and the store's pulse.* metrics arrived under their service names; the
    // services without an endpoint pushed nothing.
    await until('OTLP metrics of the cleaner and the store', async () =>
      ['cleaner', 'store'].every((service) =>
        receiver.metrics.some((metric) => metric.service === service && metric.name.startsWith('pulse.')),
      ),
    );
    expect(receiver.metrics.find((metric) => metric.name === 'pulse.cleaner.dlq.events')?.service).toBe('cleaner');
    expect(receiver.metrics.find((metric) => metric.name === 'pulse.store.freshness')).toMatchObject({
      service: 'store',
      unit: 's',
    });
    expect([...new Set(receiver.metrics.map((metric) => metric.service))].sort()).toEqual(['cleaner', 'store']);
    metricsClient.close();
    forecastClient.close();
  }, 240_000);
});
