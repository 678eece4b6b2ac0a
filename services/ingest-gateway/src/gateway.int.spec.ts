import { IngestClient } from '@pulse/client';
import { hashApiKey } from '@pulse/config';
import { freePort, grpcHealth, grpcReflectionServices, PrivateNats } from '@pulse/testing';

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';

import { startGateway } from './gateway.app.js';
import { loadGatewayConfig } from './gateway.config.js';

// The gateway in-process against its own real NATS server (so this file can stop and fill it).
const KEY = 'int-ingest-key';
const QUERY_ONLY_KEY = 'int-query-key';

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

describe('ingest gateway (real NATS JetStream)', () => {
  let nats: PrivateNats;
  let app: NestFastifyApplication;
  let url: string;
  let grpc: IngestClient;
  let keysFile: string;

  const ev = (id: string | number, extra: Record<string, unknown> = {}) => ({
    event_id: String(id),
    type: 'page_view',
    occurred_at: 1_795_780_000_000,
    ...extra,
  });

  async function post(body: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers },
      body,
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  }
  const postJson = (value: unknown, headers: Record<string, string> = {}) => post(JSON.stringify(value), headers);

  async function rawStreamCount(): Promise<number> {
    const nc = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info('PULSE_RAW');
    await nc.close();
    return info.state.messages;
  }

  beforeAll(async () => {
    nats = new PrivateNats(await freePort());
    await nats.start();
    const dir = mkdtempSync(join(tmpdir(), 'pulse-gw-'));
    keysFile = join(dir, 'keys.json');
    writeFileSync(
      keysFile,
      JSON.stringify({
        keys: [
          { tenant: 'itest', sha256: hashApiKey(KEY) },
          { tenant: 'itest', sha256: hashApiKey(QUERY_ONLY_KEY), scopes: ['query'] },
        ],
      }),
    );
    const httpPort = await freePort();
    const grpcPort = await freePort();
    const config = loadGatewayConfig({
      PULSE_NATS_URL: nats.url,
      PULSE_API_KEYS_FILE: keysFile,
      PULSE_INGEST_HOST: '127.0.0.1',
      PULSE_INGEST_HTTP_PORT: String(httpPort),
      PULSE_INGEST_GRPC_PORT: String(grpcPort),
      PULSE_INGEST_MAX_BODY_BYTES: String(1024 * 1024),
      PULSE_INGEST_MAX_BATCH: '500',
      PULSE_INGEST_RATE_LIMIT_EVENTS_PER_SECOND: '0',
      PULSE_INGEST_PUBLISH_TIMEOUT_MS: '2000',
      PULSE_STREAM_MAX_BYTES: String(4 * 1024 * 1024),
    });
    app = await startGateway(config, { logger: false });
    url = `http://127.0.0.1:${httpPort}/v1/events`;
    grpc = new IngestClient({ address: `127.0.0.1:${grpcPort}`, apiKey: KEY, deadlineMs: 5_000 });
  }, 60_000);

  afterAll(async () => {
    grpc?.close();
    await app?.close();
    await nats?.destroy();
  });

  describe('HTTP: accepted shapes', () => {
    it('accepts one JSON event and persists it before answering 202', async () => {
      const before = await rawStreamCount();
      const reply = await postJson(ev('single-1'));
      expect(reply.status).toBe(202);
      expect(reply.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
      expect(await rawStreamCount()).toBe(before + 1);
    });

    it('accepts a batch and reports invalid events by index', async () => {
      const reply = await postJson({
        events: [ev('b-1'), { type: 'page_view' }, ev('b-2'), ev('b-3', { occurred_at: true })],
      });
      expect(reply.status).toBe(202);
      expect(reply.body.accepted).toBe(2);
      expect(reply.body.rejected).toEqual([
        { index: 1, reason: "event: must have required property 'event_id'" },
        { index: 3, reason: 'occurred_at: must be string or number' },
      ]);
    });

    it('counts a repeated id within one batch, and a retried batch, as duplicates', async () => {
      const batch = { events: [ev('dup-1'), ev('dup-1'), ev('dup-2')] };
      expect((await postJson(batch)).body).toEqual({ accepted: 2, duplicates: 1, rejected: [] });
      expect((await postJson(batch)).body).toEqual({ accepted: 0, duplicates: 3, rejected: [] });
    });

    it('accepts NDJSON and rejects only the bad lines (invalid JSON, invalid UTF-8)', async () => {
      const body = Buffer.concat([
        Buffer.from(`${JSON.stringify(ev('nd-1'))}\nnot json\n`),
        Buffer.from('{"event_id":"nd-\xff","type":"page_view","occurred_at":1}\n', 'latin1'),
        Buffer.from(`\n${JSON.stringify(ev('nd-2'))}\n`),
      ]);
      const reply = await post(body, { 'content-type': 'application/x-ndjson' });
      expect(reply.status).toBe(202);
      expect(reply.body.accepted).toBe(2);
      expect(reply.body.rejected).toEqual([
        { index: 1, reason: expect.stringContaining('invalid JSON line') },
        { index: 2, reason: 'line is not valid UTF-8' },
      ]);
    });

    it('accepts gzip-encoded bodies', async () => {
      const reply = await post(gzipSync(JSON.stringify({ events: [ev('gz-1'), ev('gz-2')] })), {
        'content-encoding': 'gzip',
      });
      expect(reply).toMatchObject({ status: 202, body: { accepted: 2 } });
    });
  });

  describe('HTTP: hostile and malformed requests get their documented answer', () => {
    const problem = (status: number, slug: string) => ({
      status,
      body: expect.objectContaining({ type: `https://pulse.dev/problems/${slug}`, status }),
    });

    it.each<[string, () => Promise<Reply>, number, string]>([
      ['no API key', () => post(JSON.stringify(ev('a')), { 'x-api-key': '' }), 401, 'unauthenticated'],
      ['an unknown API key', () => post(JSON.stringify(ev('a')), { 'x-api-key': 'nope' }), 401, 'unauthenticated'],
      ['a query-only key', () => post(JSON.stringify(ev('a')), { 'x-api-key': QUERY_ONLY_KEY }), 403, 'forbidden'],
      ['truncated JSON', () => post('{"events":['), 400, 'malformed-body'],
      ['a NaN literal', () => post('{"event_id":"x","type":"page_view","occurred_at":NaN}'), 400, 'malformed-body'],
      [
        'a __proto__ key',
        () => post('{"event_id":"x","type":"page_view","occurred_at":1,"__proto__":{"admin":true}}'),
        400,
        'malformed-body',
      ],
      [
        'a constructor.prototype key',
        () => post('{"event_id":"x","type":"page_view","occurred_at":1,"constructor":{"prototype":{"a":1}}}'),
        400,
        'malformed-body',
      ],
      ['an empty events array', () => post('{"events":[]}'), 400, 'malformed-body'],
      ['events that is not an array', () => post('{"events":{"a":1}}'), 400, 'malformed-body'],
      ['an empty NDJSON body', () => post('\n\n', { 'content-type': 'application/x-ndjson' }), 400, 'malformed-body'],
      [
        'truncated gzip',
        () => post(gzipSync(JSON.stringify(ev('t'))).subarray(0, 12), { 'content-encoding': 'gzip' }),
        400,
        'malformed-body',
      ],
      [
        'brotli encoding',
        () => post(JSON.stringify(ev('b')), { 'content-encoding': 'br' }),
        415,
        'unsupported-media-type',
      ],
      [
        'text/plain',
        () => post(JSON.stringify(ev('c')), { 'content-type': 'text/plain' }),
        415,
        'unsupported-media-type',
      ],
      ['a 10 MB body', () => post(`{"events":["${'a'.repeat(10 * 1024 * 1024)}"]}`), 413, 'payload-too-large'],
      [
        'a gzip bomb (64 MB of zeros)',
        () => post(gzipSync(Buffer.alloc(64 * 1024 * 1024)), { 'content-encoding': 'gzip' }),
        413,
        'payload-too-large',
      ],
      [
        'a batch over the limit',
        () => postJson({ events: Array.from({ length: 501 }, (_, i) => ev(`big-${i}`)) }),
        413,
        'payload-too-large',
      ],
      ['only invalid events', () => postJson({ events: [{}, { event_id: 1 }] }), 422, 'no-valid-events'],
    ])('answers %s with %i %s', async (_name, send, status, slug) => {
      expect(await send()).toMatchObject(problem(status, slug));
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['an event_id over 128 characters', ev('x'.repeat(129)), 'event_id: must NOT have more than 128 characters'],
      ['a 2,000-character attribute', ev('attr-long', { attributes: { note: 'y'.repeat(2000) } }), 'attributes.note'],
      ['nested attributes', ev('attr-deep', { attributes: { a: { b: { c: 1 } } } }), 'attributes.a'],
      [
        '65 attributes',
        ev('attr-many', { attributes: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])) }),
        'attributes: must NOT have more than 64 properties',
      ],
      ['a huge category', ev('cat-long', { category: 'z'.repeat(300) }), 'category'],
      ['an array as the event', [ev('arr')] as unknown as Record<string, unknown>, 'must be object'],
      ['a boolean timestamp', ev('bool-ts', { occurred_at: false }), 'occurred_at'],
      ['an object as price', ev('obj-price', { price: { amount: 1 } }), 'price'],
    ])('rejects %s by index with a reason naming the field', async (_name, event, reason) => {
      const reply = await postJson({ events: [ev(`ok-${reason.length}-${Date.now()}`), event] });
      expect(reply.status).toBe(202);
      expect(reply.body.rejected).toEqual([{ index: 1, reason: expect.stringContaining(reason) }]);
    });

    it('does not let a __proto__ key inside an event pollute anything (rejected as a whole body)', async () => {
      await post('{"events":[{"event_id":"p","type":"page_view","occurred_at":1,"__proto__":{"polluted":true}}]}');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('gRPC IngestService', () => {
    it('ingests a unary batch with the same semantics as HTTP', async () => {
      const response = await grpc.ingest([
        { eventId: 'g-1', type: 'purchase', occurredAt: '2026-11-24T10:00:00Z', price: '12.50', quantity: '2' },
        { eventId: '', type: 'page_view', occurredAt: '1' },
        { eventId: 'g-1', type: 'purchase', occurredAt: '2026-11-24T10:00:00Z' },
      ]);
      expect(response.accepted).toBe(1);
      expect(response.duplicates).toBe(1);
      expect(response.rejected).toEqual([{ index: 1, reason: "event: must have required property 'event_id'" }]);
    });

    it('sums a client stream into one answer, with rejected indexes across the whole stream', async () => {
      const batches = [
        [{ eventId: 's-1', type: 'page_view', occurredAt: '1' }],
        [
          { eventId: 's-2', type: 'page_view', occurredAt: '1' },
          { eventId: 's-3', type: 'page_view', occurredAt: '' },
        ],
        [{ eventId: 's-1', type: 'page_view', occurredAt: '1' }],
      ];
      const response = await grpc.ingestStream(batches);
      expect(response).toEqual({
        accepted: 2,
        duplicates: 1,
        rejected: [{ index: 2, reason: "event: must have required property 'occurred_at'" }],
      });
    });

    it('serves grpc.health.v1 and server reflection on the same port', async () => {
      const address = (grpc as unknown as { options: { address: string } }).options.address;
      expect(await grpcHealth(address, 'pulse.ingest.v1.IngestService')).toBe('SERVING');
      expect(await grpcHealth(address)).toBe('SERVING');
      await expect(grpcHealth(address, 'no.such.Service')).rejects.toMatchObject({ code: 5 }); // NOT_FOUND
      expect(await grpcReflectionServices(address)).toEqual(expect.arrayContaining(['pulse.ingest.v1.IngestService']));
    });

    it('fails a call whose deadline passes instead of hanging', async () => {
      const many = Array.from({ length: 500 }, (_, i) => ({ eventId: `dl-${i}`, type: 'page_view', occurredAt: '1' }));
      await expect(grpc.ingest(many, 1)).rejects.toMatchObject({ code: 4 }); // DEADLINE_EXCEEDED
    });

    it('answers UNAUTHENTICATED, PERMISSION_DENIED and INVALID_ARGUMENT as documented', async () => {
      const address = (grpc as unknown as { options: { address: string } }).options.address;
      const anonymous = new IngestClient({ address, apiKey: 'nope' });
      const readOnly = new IngestClient({ address, apiKey: QUERY_ONLY_KEY });
      const event = { eventId: 'x', type: 'page_view', occurredAt: '1' };
      await expect(anonymous.ingest([event])).rejects.toMatchObject({ code: 16 });
      await expect(readOnly.ingest([event])).rejects.toMatchObject({ code: 7 });
      await expect(grpc.ingest([{ eventId: '', type: '', occurredAt: '' }])).rejects.toMatchObject({ code: 3 });
      anonymous.close();
      readOnly.close();
    });
  });

  describe('batch publish mode (JetStream fast-ingest)', () => {
    let batchApp: NestFastifyApplication;
    let batchUrl: string;

    beforeAll(async () => {
      const httpPort = await freePort();
      const config = loadGatewayConfig({
        PULSE_NATS_URL: nats.url,
        PULSE_API_KEYS_FILE: keysFile,
        PULSE_INGEST_HOST: '127.0.0.1',
        PULSE_INGEST_HTTP_PORT: String(httpPort),
        PULSE_INGEST_GRPC_PORT: String(await freePort()),
        PULSE_INGEST_RATE_LIMIT_EVENTS_PER_SECOND: '0',
        PULSE_INGEST_PUBLISH_MODE: 'batch',
        PULSE_STREAM_MAX_BYTES: String(4 * 1024 * 1024),
      });
      batchApp = await startGateway(config, { logger: false });
      batchUrl = `http://127.0.0.1:${httpPort}/v1/events`;
    });

    afterAll(async () => {
      await batchApp?.close();
    });

    const postBatch = async (events: object[]) => {
      const response = await fetch(batchUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        body: JSON.stringify({ events }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    it('persists every event of a request before answering, and a retry stores nothing twice', async () => {
      const events = Array.from({ length: 250 }, (_, i) => ev(`fi-${i}`));
      const before = await rawStreamCount();
      expect(await postBatch([...events, ev('fi-0')])).toEqual({
        status: 202,
        body: { accepted: 250, duplicates: 1, rejected: [] },
      });
      expect(await rawStreamCount()).toBe(before + 250);
      // Retried: JetStream drops the repeated ids; this mode reports them as accepted (documented).
      expect((await postBatch(events)).status).toBe(202);
      expect(await rawStreamCount()).toBe(before + 250);
    });
  });

  describe('faults', () => {
    it('answers 503 with Retry-After (and gRPC UNAVAILABLE) while NATS is down, and persists again once it is back', async () => {
      await nats.stop();
      const down = await postJson(ev('while-down-1'));
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('2');
      await expect(
        grpc.ingest([{ eventId: 'while-down-2', type: 'page_view', occurredAt: '1' }], 3_000),
      ).rejects.toMatchObject({
        code: 14, // UNAVAILABLE
      });
      await nats.start();
      const deadline = Date.now() + 20_000;
      let reply: Reply | undefined;
      while (Date.now() < deadline) {
        reply = await postJson(ev('while-down-1'));
        if (reply.status === 202) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(reply?.status).toBe(202);
      expect(reply?.body.accepted).toBe(1);
    }, 40_000);

    it('loses no acknowledged event when NATS is killed (-9) and restarted while clients send', async () => {
      const acked = new Set<string>();
      let refused = 0;
      let sending = true;
      const sender = (async () => {
        for (let batch = 0; sending; batch += 1) {
          const ids = Array.from({ length: 20 }, (_, i) => `chaos-${batch}-${i}`);
          try {
            const reply = await postJson({ events: ids.map((id) => ev(id)) });
            if (reply.status === 202) ids.forEach((id) => acked.add(id));
            else refused += 1;
          } catch {
            refused += 1;
          }
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 700));
      await nats.kill();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await nats.start();
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      sending = false;
      await sender;
      expect(refused).toBeGreaterThan(0); // the outage was real and answered with errors, not 202s
      expect(acked.size).toBeGreaterThan(0);

      const stored = new Map<string, number>();
      const nc = await connect({ servers: nats.url });
      const js = jetstream(nc);
      const consumer = await js.consumers.get('PULSE_RAW');
      const pending = (await consumer.info()).num_pending;
      for (let read = 0; read < pending;) {
        const messages = await consumer.fetch({ max_messages: 1000, expires: 2_000 });
        for await (const message of messages) {
          read += 1;
          const id = (JSON.parse(new TextDecoder().decode(message.data)) as { event_id: string }).event_id;
          if (id.startsWith('chaos-')) stored.set(id, (stored.get(id) ?? 0) + 1);
        }
      }
      await nc.close();
      const lost = [...acked].filter((id) => !stored.has(id));
      const doubled = [...stored.entries()].filter(([, count]) => count > 1);
      expect({ lost, doubled }).toEqual({ lost: [], doubled: [] });
    }, 60_000);

    it('answers 429 stream-full with Retry-After when the raw stream is full, never 202', async () => {
      const big = 'x'.repeat(900);
      let full: Reply | undefined;
      for (let i = 0; i < 200 && !full; i += 1) {
        const reply = await postJson({
          events: Array.from({ length: 100 }, (_, j) => ev(`fill-${i}-${j}`, { user_agent: big })),
        });
        if (reply.status !== 202) full = reply;
      }
      expect(full).toMatchObject({
        status: 429,
        body: expect.objectContaining({ type: 'https://pulse.dev/problems/stream-full' }),
      });
      expect(full?.headers.get('retry-after')).toBe('5');
    }, 60_000);
  });
});
