import { fieldViolations, MetricsClient } from '@pulse/client';
import { hashApiKey } from '@pulse/config';
import { proto, STREAMS, subjects, type WindowPartialV1 } from '@pulse/contracts';
import { createHealth, grpcServerOptions, PROTO_FILES } from '@pulse/grpc';
import { encodeJson } from '@pulse/messaging';
import { freePort, grpcHealth, grpcReflectionServices, PrivateNats } from '@pulse/testing';

import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

import { AppModule } from '../app.module.js';
import { CassandraClient } from '../cassandra/cassandra.client.js';
import { loadStoreConfig, type StoreConfig } from '../store.config.js';
import { dimensionsOf, partialsOf, shopEvents, type ShopEvent } from './shop-data.fixture.js';

// The query API end to end inside one process: partials published to a NATS server of this
// test's own → the store's consumer → the real Cassandra (a keyspace of this file's own) → the
// MetricsService over real gRPC → @pulse/client. Every expectation is computed from the events.
const { Granularity, GapFill } = proto.pulse.store.v1;
const SERVICE = 'pulse.store.v1.MetricsService';
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const D0 = Date.UTC(2026, 10, 24);
const PARTITIONS = 4;
const KEYS = { a: 'key-shop-a', b: 'key-shop-b', ingestOnly: 'key-ingest-only' };

const eventsA = shopEvents({
  seed: 7,
  count: 1_800,
  from: D0,
  to: D0 + 2 * DAY,
  users: 120,
  sessions: 230,
  products: 30,
});
const eventsB = shopEvents({ seed: 99, count: 300, from: D0, to: D0 + 2 * DAY, users: 40, sessions: 60, products: 8 });

async function startStore(config: StoreConfig): Promise<NestFastifyApplication> {
  const health = createHealth([SERVICE]);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter(), {
    logger: false,
  });
  app.connectMicroservice(
    grpcServerOptions({
      url: `127.0.0.1:${config.PULSE_STORE_GRPC_PORT}`,
      packageName: 'pulse.store.v1',
      protoFile: PROTO_FILES.store,
      services: [SERVICE],
      health,
    }),
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.listen(config.PULSE_STORE_HTTP_PORT, '127.0.0.1');
  health.setStatus('', 'SERVING');
  health.setStatus(SERVICE, 'SERVING');
  return app;
}

// --- the reference: straight from the events ---------------------------------------------------
const within = (from: number, to: number) => (event: ShopEvent) => event.at >= from && event.at < to;
const distinctOf = (events: ShopEvent[], value: (event: ShopEvent) => string) => new Set(events.map(value)).size;
const revenueOf = (events: ShopEvent[]) => events.reduce((sum, event) => sum + event.amount, 0);
const sessionsWith = (events: ShopEvent[], type: ShopEvent['type']) =>
  distinctOf(
    events.filter((event) => event.type === type),
    (event) => event.session,
  );

function groupBy<K>(events: ShopEvent[], keys: (event: ShopEvent) => K[]): Map<K, ShopEvent[]> {
  const groups = new Map<K, ShopEvent[]>();
  for (const event of events) {
    for (const key of keys(event)) groups.set(key, [...(groups.get(key) ?? []), event]);
  }
  return groups;
}

function grpcError(error: unknown): { code: number; details: string; violations: string[] } {
  const { code, details } = error as { code: number; details: string };
  return { code, details, violations: fieldViolations(error).map((violation) => violation.field) };
}

/** The gRPC error a call must fail with. */
function failure(call: Promise<unknown>): Promise<ReturnType<typeof grpcError>> {
  return call.then(
    () => {
      throw new Error('the call succeeded');
    },
    (error: unknown) => grpcError(error),
  );
}

describe('MetricsService over gRPC (real NATS, Cassandra and store)', () => {
  let nats: PrivateNats;
  let config: StoreConfig;
  let app: NestFastifyApplication;
  let address: string;
  let shopA: MetricsClient;
  let shopB: MetricsClient;

  beforeAll(async () => {
    nats = new PrivateNats(await freePort());
    await nats.start();
    const keysFile = join(mkdtempSync(join(tmpdir(), 'pulse-query-')), 'keys.json');
    writeFileSync(
      keysFile,
      JSON.stringify({
        keys: [
          { tenant: 'shop-a', sha256: hashApiKey(KEYS.a), scopes: ['query'] },
          { tenant: 'shop-b', sha256: hashApiKey(KEYS.b) },
          { tenant: 'shop-a', sha256: hashApiKey(KEYS.ingestOnly), scopes: ['ingest'] },
        ],
      }),
    );
    // The store's own defaults (as in production), with the test's servers, keyspace and ports.
    config = loadStoreConfig({
      PULSE_NATS_URL: nats.url,
      PULSE_API_KEYS_FILE: keysFile,
      PULSE_CASSANDRA_CONTACT_POINTS: process.env.PULSE_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:19042',
      PULSE_CASSANDRA_LOCAL_DC: process.env.PULSE_CASSANDRA_LOCAL_DC ?? 'datacenter1',
      PULSE_CASSANDRA_KEYSPACE: `pulse_it_query_${Date.now().toString(36)}`,
      PULSE_STORE_HOST: '127.0.0.1',
      PULSE_STORE_GRPC_PORT: String(await freePort()),
      PULSE_STORE_HTTP_PORT: String(await freePort()),
      PULSE_STORE_MINUTE_TTL_DAYS: '1',
      PULSE_STREAM_MAX_AGE_HOURS: '1',
      PULSE_SHUTDOWN_TIMEOUT_MS: '2000',
    });
    app = await startStore(config);
    address = `127.0.0.1:${config.PULSE_STORE_GRPC_PORT}`;

    // Feed the partials through the real write path and wait until the store consumed them all.
    const partials: WindowPartialV1[] = [
      ...partialsOf('shop-a', eventsA, PARTITIONS),
      ...partialsOf('shop-b', eventsB, PARTITIONS),
    ];
    const nc = await connect({ servers: nats.url });
    const js = jetstream(nc);
    for (let i = 0; i < partials.length; i += 500) {
      await Promise.all(
        partials.slice(i, i + 500).map((partial) => js.publish(subjects.agg(partial.partition), encodeJson(partial))),
      );
    }
    const jsm = await jetstreamManager(nc);
    const deadline = Date.now() + 240_000;
    for (;;) {
      const info = await jsm.consumers.info(STREAMS.agg.name, 'store');
      if (info.num_pending === 0 && info.num_ack_pending === 0) break;
      if (Date.now() > deadline) throw new Error(`store consumer still has ${info.num_pending} pending`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await nc.close();
    shopA = new MetricsClient({ address, apiKey: KEYS.a, deadlineMs: 20_000 });
    shopB = new MetricsClient({ address, apiKey: KEYS.b, deadlineMs: 20_000 });
  }, 300_000);

  afterAll(async () => {
    shopA?.close();
    shopB?.close();
    await app?.get(CassandraClient).session.execute(`DROP KEYSPACE IF EXISTS ${config.PULSE_CASSANDRA_KEYSPACE}`);
    await app?.close();
    await nats?.destroy();
  }, 60_000);

  it('serves grpc.health.v1 and reflection listing MetricsService (what grpcurl list shows)', async () => {
    expect(await grpcHealth(address, SERVICE)).toBe('SERVING');
    expect(await grpcHealth(address)).toBe('SERVING');
    expect(await grpcReflectionServices(address)).toEqual(expect.arrayContaining([SERVICE]));
  });

  it('GetSeries: events per minute of a two-hour range, gaps filled with zero, equal the events', async () => {
    const from = D0 + 10 * HOUR;
    const to = from + 2 * HOUR;
    const response = await shopA.getSeries({
      metric: 'events',
      granularity: Granularity.GRANULARITY_MINUTE,
      from,
      to,
      gapFill: GapFill.GAP_FILL_ZERO,
    });
    expect(response.points).toHaveLength(120);
    const expected = Array.from(
      { length: 120 },
      (_, i) => eventsA.filter(within(from + i * MINUTE, from + (i + 1) * MINUTE)).length,
    );
    expect(response.points.map((point) => point.value)).toEqual(expected);
    expect(response.points.filter((point) => point.filled).length).toBe(expected.filter((n) => n === 0).length);
    expect(response.points.every((point) => point.filled || point.closed)).toBe(true);

    const absent = await shopA.getSeries({ metric: 'events', granularity: Granularity.GRANULARITY_MINUTE, from, to });
    expect(absent.points.map((point) => point.value)).toEqual(expected.filter((n) => n > 0));
  });

  it('GetSeries: several metrics per hour of one product; distinct counts are unions over partitions', async () => {
    const product = 'product:SKU-0';
    const response = await shopA.getSeries({
      metrics: ['revenue', 'unique_sessions', 'purchases'],
      dimension: product,
      granularity: Granularity.GRANULARITY_HOUR,
      from: D0,
      to: D0 + DAY,
      gapFill: GapFill.GAP_FILL_ZERO,
    });
    expect(response.metrics).toEqual(['revenue', 'unique_sessions', 'purchases']);
    expect(response.metric).toBe('revenue');
    const ofProduct = eventsA.filter((event) => `product:${event.product}` === product);
    const expected = Array.from({ length: 24 }, (_, h) => {
      const hour = ofProduct.filter(within(D0 + h * HOUR, D0 + (h + 1) * HOUR));
      return [
        revenueOf(hour),
        distinctOf(hour, (event) => event.session),
        hour.filter((e) => e.type === 'purchase').length,
      ];
    });
    expect(response.points.map((point) => point.values)).toEqual(expected);
    expect(response.points.map((point) => point.value)).toEqual(expected.map((values) => values[0]));
  });

  it('GetSeries: Berlin days are assembled from hours and equal the events per local day', async () => {
    const response = await shopA.getSeries({
      metrics: ['events', 'unique_users'],
      granularity: Granularity.GRANULARITY_DAY,
      from: D0,
      to: D0 + 2 * DAY,
      timeZone: 'Europe/Berlin',
      gapFill: GapFill.GAP_FILL_ZERO,
    });
    expect(response.timeZone).toBe('Europe/Berlin');
    // November in Berlin is UTC+1: local days start at 23:00 UTC.
    const starts = [D0 - HOUR, D0 + DAY - HOUR, D0 + 2 * DAY - HOUR];
    expect(response.points.map((point) => point.windowStart?.seconds)).toEqual(starts.map((start) => start / 1000));
    expect(response.points.map((point) => point.values)).toEqual(
      starts.map((start) => {
        const day = eventsA.filter(within(start, start + DAY));
        return [day.length, distinctOf(day, (event) => event.user)];
      }),
    );
    // Sums only take the other read (added by Cassandra per hour), then the same local days.
    const revenue = await shopA.getSeries({
      metrics: ['revenue', 'purchases'],
      granularity: Granularity.GRANULARITY_DAY,
      from: D0,
      to: D0 + 2 * DAY,
      timeZone: 'Europe/Berlin',
      gapFill: GapFill.GAP_FILL_ZERO,
    });
    expect(revenue.points.map((point) => point.values)).toEqual(
      starts.map((start) => {
        const day = eventsA.filter(within(start, start + DAY));
        return [revenueOf(day), day.filter((event) => event.type === 'purchase').length];
      }),
    );
    const utc = await shopA.getSeries({
      metric: 'events',
      granularity: Granularity.GRANULARITY_DAY,
      from: D0,
      to: D0 + 2 * DAY,
    });
    expect(utc.points.map((point) => point.value)).toEqual([
      eventsA.filter(within(D0, D0 + DAY)).length,
      eventsA.filter(within(D0 + DAY, D0 + 2 * DAY)).length,
    ]);
  });

  it('TopDimensions: the ranking by revenue over an unaligned day equals the reference, page by page', async () => {
    const from = D0 + 10 * HOUR + 23 * MINUTE;
    const to = from + DAY;
    const range = eventsA.filter(within(from, to));
    const reference = [...groupBy(range, (event) => (event.product ? [`product:${event.product}`] : []))]
      .map(([dimension, events]) => ({ dimension, value: revenueOf(events) }))
      .sort((a, b) => b.value - a.value || (a.dimension < b.dimension ? -1 : 1));
    const ranked: Array<{ rank: number; dimension: string; value: number }> = [];
    let pages = 0;
    for await (const page of shopA.topDimensionsPages({ kind: 'product', metric: 'revenue', from, to, k: 7 })) {
      pages += 1;
      expect(page.totalDimensions).toBe(reference.length);
      expect(page.from?.seconds).toBe(from / 1000);
      expect(page.to?.seconds).toBe(to / 1000);
      ranked.push(...page.dimensions.map(({ rank, dimension, value }) => ({ rank, dimension, value })));
    }
    expect(pages).toBe(Math.ceil(reference.length / 7));
    expect(ranked).toEqual(reference.map((entry, index) => ({ rank: index + 1, ...entry })));
  });

  it('Breakdown: every country with its events and unique users, paged by name, equals the reference', async () => {
    const from = D0 + 6 * HOUR;
    const to = D0 + 30 * HOUR;
    const rows: Array<{ dimension: string; values: number[] }> = [];
    for await (const page of shopA.breakdownPages({
      kind: 'country',
      metrics: ['events', 'unique_users', 'revenue'],
      granularity: Granularity.GRANULARITY_HOUR,
      from,
      to,
      pageSize: 2,
    })) {
      expect(page.metrics).toEqual(['events', 'unique_users', 'revenue']);
      rows.push(...page.rows.map(({ dimension, values }) => ({ dimension, values })));
    }
    const range = eventsA.filter(within(from, to));
    const reference = [...groupBy(range, (event) => [`country:${event.country}`])]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([dimension, events]) => ({
        dimension,
        values: [events.length, distinctOf(events, (event) => event.user), revenueOf(events)],
      }));
    expect(rows).toEqual(reference);
  });

  it('Funnel: overall and per channel, the distinct sessions of each stage over the range', async () => {
    const from = D0;
    const to = D0 + 2 * DAY;
    const stagesOf = (events: ShopEvent[]) => [
      sessionsWith(events, 'product_view'),
      sessionsWith(events, 'add_to_cart'),
      sessionsWith(events, 'checkout'),
      sessionsWith(events, 'purchase'),
    ];
    const overall = await shopA.funnel({ from, to });
    expect(overall.funnels).toHaveLength(1);
    const [funnel] = overall.funnels;
    expect(funnel!.dimension).toBe('all');
    const expected = stagesOf(eventsA);
    expect(funnel!.stages.map((stage) => stage.sessions)).toEqual(expected);
    expect(funnel!.stages[3]!.conversionFromFirst).toBeCloseTo(expected[3]! / expected[0]!, 10);
    expect(funnel!.stages[2]!.conversionFromPrevious).toBeCloseTo(expected[2]! / expected[1]!, 10);

    const perChannel = await shopA.funnel({ from, to, kind: 'channel' });
    const reference = [...groupBy(eventsA, (event) => [`channel:${event.channel}`])]
      .map(([dimension, events]) => ({ dimension, sessions: stagesOf(events) }))
      .sort((a, b) => b.sessions[0]! - a.sessions[0]! || (a.dimension < b.dimension ? -1 : 1));
    expect(
      perChannel.funnels.map((f) => ({ dimension: f.dimension, sessions: f.stages.map((stage) => stage.sessions) })),
    ).toEqual(reference);
  });

  it('Distinct: users and sessions of one country over a range are the union, not a sum of windows', async () => {
    const from = D0 + 3 * HOUR + 30 * MINUTE;
    const to = D0 + 40 * HOUR;
    const response = await shopA.distinct({ dimension: 'country:GB', from, to });
    const range = eventsA.filter(within(from, to)).filter((event) => event.country === 'GB');
    expect(response.counts).toEqual([
      { metric: 'unique_users', value: distinctOf(range, (event) => event.user), exact: true },
      { metric: 'unique_sessions', value: distinctOf(range, (event) => event.session), exact: true },
    ]);
    const hourly = await shopA.getSeries({
      metric: 'unique_users',
      dimension: 'country:GB',
      granularity: Granularity.GRANULARITY_HOUR,
      from,
      to,
    });
    expect(hourly.points.reduce((sum, point) => sum + point.value, 0)).toBeGreaterThan(response.counts[0]!.value);
  });

  it('isolates tenants: shop B’s key answers only from shop B’s events, for the same queries and names', async () => {
    const series = await shopB.getSeries({
      metric: 'events',
      granularity: Granularity.GRANULARITY_DAY,
      from: D0,
      to: D0 + 2 * DAY,
    });
    expect(series.points.reduce((sum, point) => sum + point.value, 0)).toBe(eventsB.length);
    const top = await shopB.topDimensions({ kind: 'product', metric: 'revenue', from: D0, to: D0 + 2 * DAY, k: 100 });
    const productsB = new Set(eventsB.filter((event) => event.product).map((event) => `product:${event.product}`));
    expect(top.totalDimensions).toBe(productsB.size);
    for (const entry of top.dimensions) {
      expect(entry.value).toBe(revenueOf(eventsB.filter((event) => `product:${event.product}` === entry.dimension)));
    }
    // A product only shop A sells does not exist for shop B.
    const onlyA = [...new Set(eventsA.flatMap(dimensionsOf))].find(
      (d) => d.startsWith('product:') && !productsB.has(d),
    );
    expect(onlyA).toBeDefined();
    const other = await shopB.getSeries({
      metric: 'events',
      dimension: onlyA,
      granularity: Granularity.GRANULARITY_DAY,
      from: D0,
      to: D0 + 2 * DAY,
    });
    expect(other.points).toEqual([]);
    const funnel = await shopB.funnel({ from: D0, to: D0 + 2 * DAY });
    expect(funnel.funnels[0]!.stages[0]!.sessions).toBe(sessionsWith(eventsB, 'product_view'));
    // A page token of shop A's query is no good to shop B.
    const pageA = await shopA.topDimensions({ kind: 'product', metric: 'revenue', from: D0, to: D0 + 2 * DAY, k: 1 });
    const stolen = await failure(
      shopB.topDimensions({
        kind: 'product',
        metric: 'revenue',
        from: D0,
        to: D0 + 2 * DAY,
        k: 1,
        pageToken: pageA.nextPageToken,
      }),
    );
    expect(stolen).toMatchObject({ code: status.INVALID_ARGUMENT, violations: ['page_token'] });
  });

  it('refuses bad requests with INVALID_ARGUMENT and a BadRequest naming the field', async () => {
    const day = { from: D0, to: D0 + DAY };
    const cases: Array<[Promise<unknown>, string, RegExp]> = [
      [
        shopA.getSeries({ metric: 'events', granularity: Granularity.GRANULARITY_HOUR, from: D0, to: D0 }),
        'to',
        /must be after from/,
      ],
      [shopA.getSeries({ metric: 'events', granularity: Granularity.GRANULARITY_HOUR, to: D0 }), 'from', /is required/],
      [
        shopA.getSeries({ metric: 'bogus', granularity: Granularity.GRANULARITY_HOUR, ...day }),
        'metric',
        /unknown metric "bogus"/,
      ],
      [
        shopA.getSeries({ metric: 'events', granularity: Granularity.GRANULARITY_UNSPECIFIED, ...day }),
        'granularity',
        /is required/,
      ],
      [
        shopA.getSeries({
          metrics: ['events', 'revenue'],
          granularity: Granularity.GRANULARITY_MINUTE,
          from: D0,
          to: D0 + 5_001 * MINUTE,
        }),
        'to',
        /10,002 points, more than the 10,000 per response/,
      ],
      [
        shopA.getSeries({
          metric: 'events',
          granularity: Granularity.GRANULARITY_DAY,
          timeZone: 'Asia/Kolkata',
          ...day,
        }),
        'time_zone',
        /UTC\+05:30/,
      ],
      [shopA.topDimensions({ kind: 'product', metric: 'revenue', k: 101, ...day }), 'k', /must be 1 to 100/],
      [shopA.topDimensions({ kind: 'colour', metric: 'revenue', ...day }), 'kind', /unknown dimension kind/],
      [
        shopA.topDimensions({ kind: 'product', metric: 'revenue', pageToken: 'garbage', ...day }),
        'page_token',
        /not a page token/,
      ],
      [shopA.breakdown({ kind: 'product', metrics: ['events', 'nope'], ...day }), 'metrics[1]', /unknown metric/],
      [shopA.distinct({ metrics: ['revenue'], ...day }), 'metrics[0]', /not a distinct metric/],
      [shopA.funnel({ dimension: 'colour:red', ...day }), 'dimension', /not a dimension/],
    ];
    for (const [call, field, message] of cases) {
      const error = await failure(call);
      expect(error).toMatchObject({ code: status.INVALID_ARGUMENT, violations: [field] });
      expect(error.details).toMatch(new RegExp(`^${field.replace(/[[\]]/g, '\\$&')}: `));
      expect(error.details).toMatch(message);
    }
  });

  it('answers UNAUTHENTICATED for an unknown key and PERMISSION_DENIED for a key without the query scope', async () => {
    const query = { metric: 'events', granularity: Granularity.GRANULARITY_DAY, from: D0, to: D0 + DAY };
    const stranger = new MetricsClient({ address, apiKey: 'no-such-key' });
    const ingestOnly = new MetricsClient({ address, apiKey: KEYS.ingestOnly });
    await expect(stranger.getSeries(query)).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    await expect(ingestOnly.getSeries(query)).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    await expect(ingestOnly.distinct({ from: D0, to: D0 + DAY })).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
    });
    stranger.close();
    ingestOnly.close();
  });

  it('stops issuing Cassandra reads once a query’s deadline passed', async () => {
    const session = app.get(CassandraClient).session;
    const execute = session.execute.bind(session);
    let reads = 0;
    session.execute = ((...args: Parameters<typeof execute>) => {
      if (String(args[0]).trimStart().startsWith('SELECT')) reads += 1;
      return execute(...args);
    }) as typeof session.execute;
    try {
      // 8,640 minute windows: one dimension_partials partition each, far more than 300 ms allow.
      const began = Date.now();
      const error = await failure(
        shopA.breakdown(
          {
            kind: 'product',
            metrics: ['events'],
            granularity: Granularity.GRANULARITY_MINUTE,
            from: D0,
            to: D0 + 6 * DAY,
          },
          300,
        ),
      );
      expect(error).toMatchObject({ code: status.DEADLINE_EXCEEDED });
      expect(Date.now() - began).toBeLessThan(2_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const settled = reads;
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(reads).toBe(settled);
      expect(settled).toBeGreaterThan(0);
      expect(settled).toBeLessThan(8_640);
    } finally {
      session.execute = execute as typeof session.execute;
    }
  });

  it('answers UNAVAILABLE within seconds, never hangs, when Cassandra becomes unreachable', async () => {
    // A second store reaching Cassandra through a proxy of this test; closing the proxy is an outage.
    const sockets = new Set<Socket>();
    const [host, port] = config.PULSE_CASSANDRA_CONTACT_POINTS.split(',')[0]!.split(':');
    const proxy: Server = createServer((client) => {
      const upstream = tcpConnect(Number(port ?? 9042), host);
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    const proxyPort = await freePort();
    await new Promise<void>((resolve) => proxy.listen(proxyPort, '127.0.0.1', resolve));
    const outageConfig = {
      ...config,
      PULSE_CASSANDRA_CONTACT_POINTS: `127.0.0.1:${proxyPort}`,
      PULSE_STORE_GRPC_PORT: await freePort(),
      PULSE_STORE_HTTP_PORT: await freePort(),
    };
    const second = await startStore(outageConfig);
    const client = new MetricsClient({ address: `127.0.0.1:${outageConfig.PULSE_STORE_GRPC_PORT}`, apiKey: KEYS.a });
    try {
      const query = { metric: 'events', granularity: Granularity.GRANULARITY_DAY, from: D0, to: D0 + DAY };
      const before = await client.getSeries(query);
      expect(before.points[0]!.value).toBe(eventsA.filter(within(D0, D0 + DAY)).length);

      await new Promise<void>((resolve) => {
        proxy.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      const began = Date.now();
      const error = await failure(client.getSeries(query, 10_000));
      expect(error).toMatchObject({ code: status.UNAVAILABLE });
      expect(error.details).toMatch(/^metrics store unavailable: Cassandra did not answer/);
      expect(Date.now() - began).toBeLessThan(5_000);
    } finally {
      client.close();
      await second.close();
    }
  }, 60_000);
});
