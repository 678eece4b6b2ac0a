import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

import { type WireEvent } from '../simulator/simulated-event.js';
import { HttpBatchSender, newTraceparent, probeHttpTarget, type TracedEvent } from './http-batch-sender.js';
import { FatalSendError } from './send-stats.js';

/** What the fake gateway saw of one request. */
interface Seen {
  headers: IncomingMessage['headers'];
  ids: string[];
}

type Reply = (seen: Seen, res: ServerResponse) => void;

/** Our own fake endpoint: answers each request with the next scripted reply. */
async function fakeGateway(replies: Reply[]): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const { events } = JSON.parse(body.toString('utf8')) as { events: WireEvent[] };
      const request = { headers: req.headers, ids: events.map((e) => e.event_id) };
      seen.push(request);
      const reply = replies.shift() ?? accept();
      reply(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/events`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const accept =
  (duplicates = 0, rejected: Array<{ index: number; reason: string }> = []): Reply =>
  (seen, res) =>
    json(res, 202, { accepted: seen.ids.length - duplicates - rejected.length, duplicates, rejected });

const refuse =
  (status: number, retryAfter?: string): Reply =>
  (_seen, res) =>
    json(
      res,
      status,
      { type: 'https://pulse.dev/problems/x', title: `status ${status}`, status },
      retryAfter === undefined ? {} : { 'retry-after': retryAfter },
    );

const events = (n: number): WireEvent[] =>
  Array.from({ length: n }, (_, i) => ({ event_id: `e-${i}`, type: 'page_view', occurred_at: '2026-11-24T10:00:00Z' }));

describe('HttpBatchSender', () => {
  let gateway: Awaited<ReturnType<typeof fakeGateway>> | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  function sender(
    url: string,
    waits: number[] = [],
    extra: Partial<ConstructorParameters<typeof HttpBatchSender>[0]> = {},
  ) {
    return new HttpBatchSender({
      url,
      apiKey: 'k-123',
      random: () => 0,
      sleep: async (ms) => {
        waits.push(ms);
      },
      ...extra,
    });
  }

  it('after 429 with Retry-After waits as asked, resends the same event ids, and counts the 202', async () => {
    gateway = await fakeGateway([refuse(429, '2'), accept(1)]);
    const waits: number[] = [];
    const http = sender(gateway.url, waits);
    await http.send(events(3));
    expect(gateway.seen.map((s) => s.ids)).toEqual([
      ['e-0', 'e-1', 'e-2'],
      ['e-0', 'e-1', 'e-2'],
    ]);
    expect(waits).toEqual([2_000]);
    expect(http.stats).toEqual(
      expect.objectContaining({ sent: 3, accepted: 2, duplicates: 1, rejected: 0, retries: 1, failed: 0, requests: 2 }),
    );
    expect(gateway.seen[0].headers['x-api-key']).toBe('k-123');
  });

  it('sends one purchase per interval alone with a sampled traceparent and reports its trace id', async () => {
    gateway = await fakeGateway([]);
    let clock = 1_000_000;
    const traced: TracedEvent[] = [];
    const http = sender(gateway.url, [], {
      traceEveryMs: 10_000,
      now: () => clock,
      onTraced: (event) => traced.push(event),
    });
    const batch = (prefix: string): WireEvent[] => [
      { event_id: `${prefix}-view`, type: 'page_view', occurred_at: '2026-11-24T10:00:00Z' },
      { event_id: `${prefix}-buy`, type: 'purchase', occurred_at: '2026-11-24T10:00:01Z' },
      { event_id: `${prefix}-cart`, type: 'add_to_cart', occurred_at: '2026-11-24T10:00:02Z' },
    ];
    await http.send(events(2)); // no purchase: nothing traced, the interval is not used up
    await http.send(batch('a')); // traced
    clock += 9_999;
    await http.send(batch('b')); // too soon
    clock += 1;
    await http.send(batch('c')); // traced again
    const withContext = gateway.seen.filter((seen) => seen.headers.traceparent !== undefined);
    expect(withContext.map((seen) => seen.ids)).toEqual([['a-buy'], ['c-buy']]);
    for (const seen of withContext) expect(seen.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(traced.map((t) => [t.eventId, t.type, `00-${t.traceId}`])).toEqual(
      withContext.map((seen) => [seen.ids[0], 'purchase', String(seen.headers.traceparent).slice(0, 35)]),
    );
    // Every event was sent exactly once; the rest of a traced batch went without a context.
    const ids = gateway.seen.flatMap((seen) => seen.ids).sort();
    expect(ids).toEqual(
      [...events(2).map((e) => e.event_id), ...['a', 'b', 'c'].flatMap((p) => batch(p).map((e) => e.event_id))].sort(),
    );
    expect(http.stats).toEqual(expect.objectContaining({ sent: 11, accepted: 11 }));
  });

  it('makes W3C trace contexts with distinct ids', () => {
    const a = newTraceparent();
    const b = newTraceparent();
    expect(a.traceparent).toBe(`00-${a.traceId}-${a.traceparent.slice(36, 52)}-01`);
    expect(a.traceId).not.toBe(b.traceId);
    expect(newTraceparent((size) => Buffer.alloc(size, 0xab)).traceparent).toBe(
      `00-${'ab'.repeat(16)}-${'ab'.repeat(8)}-01`,
    );
  });

  it('really sleeps for Retry-After when no sleep is injected', async () => {
    gateway = await fakeGateway([refuse(503, '1'), accept()]);
    const http = new HttpBatchSender({ url: gateway.url, apiKey: 'k', random: () => 0 });
    const started = Date.now();
    await http.send(events(2));
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(http.stats.accepted).toBe(2);
  });

  it('backs off on 503 without Retry-After and on a network error, then gives up after maxAttempts', async () => {
    gateway = await fakeGateway([refuse(503), refuse(502), refuse(503)]);
    const waits: number[] = [];
    const http = sender(gateway.url, waits, { retry: { maxAttempts: 3, baseDelayMs: 100 } });
    await http.send(events(4));
    expect(waits).toEqual([50, 100]);
    expect(http.stats).toEqual(expect.objectContaining({ sent: 4, failed: 4, retries: 2, requests: 3 }));
    expect(http.stats.lastError).toContain('HTTP 503');
  });

  it('retries when nobody listens and says so in words', async () => {
    gateway = await fakeGateway([]);
    const url = gateway.url;
    await gateway.close();
    gateway = undefined;
    const http = sender(url, [], { retry: { maxAttempts: 2 } });
    await http.send(events(1));
    expect(http.stats).toEqual(expect.objectContaining({ failed: 1, retries: 1 }));
    expect(http.stats.lastError).toMatch(/cannot connect to .* connection refused/);
  });

  it('counts the events the gateway rejected, by reason', async () => {
    gateway = await fakeGateway([accept(0, [{ index: 1, reason: "event: must have required property 'type'" }])]);
    const http = sender(gateway.url);
    await http.send(events(3));
    expect(http.stats).toEqual(expect.objectContaining({ accepted: 2, rejected: 1 }));
    expect(http.stats.rejectReasons).toEqual({ "event: must have required property 'type'": 1 });
  });

  it('counts a 422 (no valid event) as rejections, not failures', async () => {
    gateway = await fakeGateway([
      (seen, res) =>
        json(res, 422, {
          title: 'No event in the request is valid',
          rejected: seen.ids.map((_, index) => ({ index, reason: 'bad' })),
        }),
    ]);
    const http = sender(gateway.url);
    await http.send(events(2));
    expect(http.stats).toEqual(expect.objectContaining({ rejected: 2, failed: 0, retries: 0 }));
  });

  it('splits a batch the gateway finds too large (413) into halves', async () => {
    gateway = await fakeGateway([refuse(413), accept(), accept()]);
    const http = sender(gateway.url);
    await http.send(events(5));
    expect(gateway.seen.map((s) => s.ids.length)).toEqual([5, 3, 2]);
    expect(http.stats).toEqual(expect.objectContaining({ sent: 5, accepted: 5, failed: 0 }));
  });

  it('stops the run on a refused API key instead of retrying', async () => {
    gateway = await fakeGateway([refuse(401)]);
    const http = sender(gateway.url);
    await expect(http.send(events(1))).rejects.toThrow(FatalSendError);
    expect(gateway.seen).toHaveLength(1);
    expect(http.stats.retries).toBe(0);
  });

  it('gzips the body when asked', async () => {
    gateway = await fakeGateway([accept()]);
    const http = sender(gateway.url, [], { gzip: true });
    await http.send(events(10));
    expect(gateway.seen[0].headers['content-encoding']).toBe('gzip');
    expect(http.stats.accepted).toBe(10);
  });

  it('abandons retries when aborted (a second Ctrl-C) and counts the batch as failed', async () => {
    gateway = await fakeGateway([refuse(503, '30')]);
    const abort = new AbortController();
    const http = new HttpBatchSender({ url: gateway.url, apiKey: 'k', signal: abort.signal });
    const sending = http.send(events(2));
    setTimeout(() => abort.abort(), 50);
    await sending;
    expect(http.stats.failed).toBe(2);
  });
});

describe('probeHttpTarget', () => {
  it('is happy with the 400 an empty batch gets, and names a refused key or a missing gateway', async () => {
    const gateway = await fakeGateway([
      (_seen, res) => json(res, 400, { title: 'Request body is not valid JSON or NDJSON' }),
      (_seen, res) => json(res, 401, { detail: 'send x-api-key' }),
    ]);
    expect(await probeHttpTarget(gateway.url, 'k')).toBeUndefined();
    expect(await probeHttpTarget(gateway.url, 'k')).toMatch(/refused the API key \(HTTP 401: send x-api-key\)/);
    await gateway.close();
    const nobody = await fakeGateway([]);
    await nobody.close();
    expect(await probeHttpTarget(nobody.url, 'k')).toMatch(/connection refused/);
  });
});
