import { MetricsClient, millis, timestamp } from '@pulse/client';
import { CONTROL_HEADER, proto, STREAMS } from '@pulse/contracts';
import { ensureLocalSecrets, LocalPlatform, portsWithOffset, workspaceRoot } from '@pulse/testing';

import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const MINUTE = 60_000;
const TOTAL = 1_000;
const BATCH = 100;

/** Streams of earlier runs could redeliver old events into this run: start from empty streams. */
async function deletePulseStreams(natsUrl: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const existing = new Set<string>();
    for await (const name of jsm.streams.names()) existing.add(name);
    for (const { name } of Object.values(STREAMS)) if (existing.has(name)) await jsm.streams.delete(name);
  } finally {
    await nc.close();
  }
}

async function post(
  url: string,
  apiKey: string,
  events: object[],
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ events }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('walking skeleton: HTTP → JetStream → cleaner → aggregator → store → Cassandra → gRPC', () => {
  const ports = portsWithOffset(10_000);
  const runDir = join(workspaceRoot, '.run/test/e2e');
  const secrets = ensureLocalSecrets(runDir, ['e2e', 'other']);
  let platform: LocalPlatform;
  let client: MetricsClient;
  let otherClient: MetricsClient;

  /** Posts events in batches of 50 with a pause between batches, counting what the gateway accepted. */
  function sendInBatches(events: object[], pauseMs: number) {
    const url = `http://127.0.0.1:${ports.gatewayHttp}/v1/events`;
    let accepted = 0;
    let finished = false;
    const done = (async () => {
      for (let i = 0; i < events.length; i += 50) {
        const { status, body } = await post(url, secrets.apiKeys.e2e, events.slice(i, i + 50));
        expect(status).toBe(202);
        accepted += body.accepted as number;
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
      return accepted;
    })().finally(() => {
      finished = true;
    });
    return {
      done,
      accepted: () => accepted,
      reached: async (count: number) => {
        while (accepted < count && !finished) await new Promise((resolve) => setTimeout(resolve, 5));
      },
    };
  }

  beforeAll(async () => {
    await deletePulseStreams(process.env.PULSE_NATS_URL!);
    platform = new LocalPlatform({
      runDir,
      ports,
      secrets,
      keyspace: `pulse_e2e_${Date.now().toString(36)}`,
      infraEnv: {
        PULSE_NATS_URL: process.env.PULSE_NATS_URL!,
        PULSE_CASSANDRA_CONTACT_POINTS: process.env.PULSE_CASSANDRA_CONTACT_POINTS!,
        PULSE_CASSANDRA_LOCAL_DC: process.env.PULSE_CASSANDRA_LOCAL_DC!,
      },
      // These tests are about delivery through restarts, each over its own stretch of the last
      // hour: a lateness of 3 h keeps one test's data from being late behind another's watermark
      // (lateness itself is the subject of the aggregator's tests and the exactness e2e).
      extraEnv: { aggregator: { PULSE_AGGREGATOR_ALLOWED_LATENESS_MS: String(3 * 60 * MINUTE) } },
    });
    await platform.start();
    client = new MetricsClient({ address: `127.0.0.1:${ports.storeGrpc}`, apiKey: secrets.apiKeys.e2e });
    otherClient = new MetricsClient({ address: `127.0.0.1:${ports.storeGrpc}`, apiKey: secrets.apiKeys.other });
  }, 240_000);

  afterAll(async () => {
    client?.close();
    otherClient?.close();
    const codes = await platform?.stop();
    // Graceful shutdown is part of the contract: every service drains and exits 0 on SIGTERM.
    expect(codes).toEqual({ 'ingest-gateway': 0, cleaner: 0, aggregator: 0, store: 0, forecast: 0 });
  }, 120_000);

  it('posts 1,000 events and reads back exactly 1,000 through the gRPC query', async () => {
    const start = Math.floor(Date.now() / MINUTE) * MINUTE - 5 * MINUTE;
    const expectedPerMinute = new Map<number, number>();
    const events = Array.from({ length: TOTAL }, (_, i) => {
      const occurredAt = start + i * 300; // 1,000 events over 5 minutes
      const window = Math.floor(occurredAt / MINUTE) * MINUTE;
      expectedPerMinute.set(window, (expectedPerMinute.get(window) ?? 0) + 1);
      return {
        event_id: `e2e-${i}`,
        type: i % 10 === 0 ? 'purchase' : 'page_view',
        occurred_at: occurredAt,
        user_id: `u-${i % 37}`,
        price: '9.99',
      };
    });

    const began = Date.now();
    let accepted = 0;
    for (let i = 0; i < TOTAL; i += BATCH) {
      const { status, body } = await post(
        `http://127.0.0.1:${ports.gatewayHttp}/v1/events`,
        secrets.apiKeys.e2e,
        events.slice(i, i + BATCH),
      );
      expect(status).toBe(202);
      accepted += body.accepted as number;
    }
    expect(accepted).toBe(TOTAL);

    // A client retry of a batch is deduplicated by Nats-Msg-Id, not counted again.
    const retry = await post(
      `http://127.0.0.1:${ports.gatewayHttp}/v1/events`,
      secrets.apiKeys.e2e,
      events.slice(0, BATCH),
    );
    expect(retry).toEqual({ status: 202, body: { accepted: 0, duplicates: BATCH, rejected: [] } });

    const query = {
      metric: 'events',
      dimension: 'all',
      granularity: proto.pulse.store.v1.Granularity.GRANULARITY_MINUTE,
      from: timestamp(start - MINUTE),
      to: timestamp(start + 10 * MINUTE),
    };
    let total = 0;
    let response: proto.pulse.store.v1.GetSeriesResponse | undefined;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      response = await client.getSeries(query);
      total = response.points.reduce((sum, point) => sum + point.value, 0);
      if (total >= TOTAL) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const visibleAfterMs = Date.now() - began;
    expect(total).toBe(TOTAL);
    const perMinute = new Map(response!.points.map((point) => [millis(point.windowStart), point.value]));
    expect(perMinute).toEqual(expectedPerMinute);

    // Still exactly 1,000 after further emissions: partials overwrite, they never add up.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const again = await client.getSeries(query);
    expect(again.points.reduce((sum, point) => sum + point.value, 0)).toBe(TOTAL);

    // The tenant comes from the key: another tenant's key sees none of it.
    const other = await otherClient.getSeries(query);
    expect(other.points).toEqual([]);

    process.stdout.write(
      `\n[e2e] posted ${TOTAL} events (+${BATCH} retried duplicates); read back ${total} over ${perMinute.size} minute windows via gRPC, visible ${visibleAfterMs} ms after the first POST\n`,
    );
  }, 120_000);

  it('loses and double-counts nothing when the cleaner and the store are stopped (SIGTERM) and restarted mid-stream', async () => {
    const start = Math.floor(Date.now() / MINUTE) * MINUTE - 30 * MINUTE;
    const events = Array.from({ length: 3_000 }, (_, i) => ({
      event_id: `drain-${i}`,
      type: 'product_view',
      occurred_at: start + Math.floor(i / 5) * 1_000, // in event-time order: 10 minute windows, 300 events each
      user_id: `u-${i % 101}`,
    }));
    const sending = sendInBatches(events, 20);
    await sending.reached(500);
    // Mid-stream: events are still arriving while the cleaner drains and restarts.
    expect(sending.accepted()).toBeLessThan(events.length);
    for (const name of ['cleaner', 'store'] as const) {
      const service = platform.service(name);
      expect(await service.stop()).toBe(0);
      await service.start();
    }
    expect(await sending.done).toBe(events.length);

    const query = {
      metric: 'events',
      dimension: 'all',
      granularity: proto.pulse.store.v1.Granularity.GRANULARITY_MINUTE,
      from: timestamp(start),
      to: timestamp(start + 10 * MINUTE),
    };
    let perMinute: number[] = [];
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const response = await client.getSeries(query);
      perMinute = response.points.map((point) => point.value);
      if (perMinute.reduce((sum, value) => sum + value, 0) >= events.length) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(perMinute).toEqual(new Array(10).fill(300));
  }, 180_000);

  it('puts every raw event into clean or DLQ exactly once when the cleaner (batch publish mode) is killed (-9) mid-stream', async () => {
    // The per-event mode ran the tests above; this one exercises the fast-ingest micro-batches.
    await platform.reconfigure('cleaner', { PULSE_CLEANER_PUBLISH_MODE: 'batch' });
    const now = Date.now();
    const events = Array.from({ length: 2_000 }, (_, i) =>
      i % 50 === 0
        ? { event_id: `k9-${i}`, type: 'teleport', occurred_at: now, user_id: `u-${i}` } // → DLQ
        : { event_id: `k9-${i}`, type: 'page_view', occurred_at: now - 60 * MINUTE, user_id: `u-${i % 97}` },
    );
    const sending = sendInBatches(events, 15);
    await sending.reached(400);
    const cleaner = platform.service('cleaner');
    await cleaner.kill();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await cleaner.start();
    expect(await sending.done).toBe(events.length);

    // Read both outputs back and count each event id.
    const seen = new Map<string, number>();
    const nc = await connect({ servers: process.env.PULSE_NATS_URL });
    const js = jetstream(nc);
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        seen.clear();
        for (const stream of [STREAMS.clean.name, STREAMS.dlq.name]) {
          const consumer = await js.consumers.get(stream);
          const pending = (await consumer.info()).num_pending;
          for (let read = 0; read < pending;) {
            const batch = await consumer.fetch({ max_messages: 1_000, expires: 2_000 });
            for await (const message of batch) {
              read += 1;
              // The aggregator's watermark markers share the clean subjects: they are not events.
              if (message.headers?.get(CONTROL_HEADER)) continue;
              const id = (JSON.parse(new TextDecoder().decode(message.data)) as { event_id: string }).event_id;
              if (id.startsWith('k9-')) seen.set(id, (seen.get(id) ?? 0) + 1);
            }
          }
        }
        if (seen.size >= events.length || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      await nc.close();
    }
    const missing = events.map((e) => e.event_id).filter((id) => !seen.has(id));
    const twice = [...seen.entries()].filter(([, count]) => count > 1).map(([id]) => id);
    expect({ missing, twice }).toEqual({ missing: [], twice: [] });
  }, 180_000);

  it('answers UNAUTHENTICATED without an API key and INVALID_ARGUMENT for an unknown metric', async () => {
    const anonymous = new MetricsClient({ address: `127.0.0.1:${ports.storeGrpc}`, apiKey: 'not-a-key' });
    const query = {
      metric: 'events',
      dimension: 'all',
      granularity: proto.pulse.store.v1.Granularity.GRANULARITY_MINUTE,
      from: timestamp(Date.now() - MINUTE),
      to: timestamp(Date.now()),
    };
    await expect(anonymous.getSeries(query)).rejects.toMatchObject({ code: 16 });
    await expect(client.getSeries({ ...query, metric: 'bogus' })).rejects.toMatchObject({
      code: 3,
      details: expect.stringContaining('metric'),
    });
    anonymous.close();
  });
});
