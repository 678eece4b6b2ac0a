import { headers } from '@nats-io/transport-node';
import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type SpanContext,
} from '@opentelemetry/api';
import { NodeSDK, type NodeSDKConfiguration } from '@opentelemetry/sdk-node';

import {
  copyTraceHeaders,
  LinkSample,
  startProcessSpan,
  subjectTemplate,
  tracedProcess,
  tracedPublish,
  type ConsumedMessage,
} from './message-tracing.js';

type SpanProcessor = NonNullable<NodeSDKConfiguration['spanProcessors']>[number];
type EndedSpan = Parameters<SpanProcessor['onEnd']>[0];

/** Collects every ended span in memory (the SDK's own processors need a package we do not ship). */
function collector(): SpanProcessor & { spans: EndedSpan[] } {
  const spans: EndedSpan[] = [];
  return {
    spans,
    onStart: () => undefined,
    onEnd: (span) => spans.push(span),
    forceFlush: async () => undefined,
    shutdown: async () => undefined,
  };
}

const W3C_TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;
const data = new TextEncoder().encode('{"n":1}');

function spanContext(traceId: string, flags = TraceFlags.SAMPLED): SpanContext {
  return { traceId, spanId: traceId.slice(16), traceFlags: flags, isRemote: true };
}

describe('subjectTemplate', () => {
  it('replaces the tenant or partition token of a Pulse subject by a wildcard', () => {
    expect(subjectTemplate('pulse.raw.acme')).toBe('pulse.raw.*');
    expect(subjectTemplate('pulse.clean.12')).toBe('pulse.clean.*');
    expect(subjectTemplate('single')).toBe('single');
    expect(subjectTemplate('two.tokens')).toBe('two.tokens');
  });
});

// Must run before any SDK is registered in this file: tracingEnabled() latches once it sees one.
describe('without an SDK (tracing off)', () => {
  it('publishes with the caller’s headers untouched and handles without a span', async () => {
    let seen: unknown = 'not called';
    await tracedPublish('pulse.raw.acme', { msgId: 'acme:e-1' }, undefined, async (h) => {
      seen = h;
    });
    expect(seen).toBeUndefined();
    expect(startProcessSpan({ subject: 'pulse.raw.acme', seq: 1, data })).toBeUndefined();
    await expect(tracedProcess({ subject: 'pulse.raw.acme', seq: 1, data }, 'c', async () => 42)).resolves.toBe(42);
  });
});

describe('with the SDK', () => {
  const spans = collector();
  let sdk: NodeSDK;

  beforeAll(() => {
    sdk = new NodeSDK({
      spanProcessors: [spans],
      metricReaders: [],
      logRecordProcessors: [],
      autoDetectResources: false,
    });
    sdk.start();
  });

  afterAll(async () => {
    await sdk.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  beforeEach(() => spans.spans.splice(0));

  it('publishes in a PRODUCER span that is a child of the active span and travels as traceparent', async () => {
    const tracer = trace.getTracer('test');
    const parent = tracer.startSpan('POST /v1/events');
    let carried: string | undefined;
    await context.with(trace.setSpan(context.active(), parent), () =>
      tracedPublish('pulse.raw.acme', { msgId: 'acme:e-1', bodySize: 7 }, undefined, async (h) => {
        carried = h?.get('traceparent');
        return { seq: 1 };
      }),
    );
    parent.end();

    const publish = spans.spans.find((s) => s.name === 'publish pulse.raw.*');
    expect(publish).toBeDefined();
    expect(publish!.kind).toBe(SpanKind.PRODUCER);
    expect(publish!.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(publish!.attributes).toMatchObject({
      'messaging.system': 'nats',
      'messaging.destination.name': 'pulse.raw.acme',
      'messaging.destination.template': 'pulse.raw.*',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'publish',
      'messaging.message.id': 'acme:e-1',
      'messaging.message.body.size': 7,
    });
    const [, traceId, spanId] = W3C_TRACEPARENT.exec(carried ?? '') ?? [];
    expect({ traceId, spanId }).toEqual({
      traceId: publish!.spanContext().traceId,
      spanId: publish!.spanContext().spanId,
    });
  });

  it('keeps headers the caller passed and adds the trace context to them', async () => {
    const h = headers();
    h.set('Pulse-Late-Reason', 'beyond_allowed_lateness');
    let given: unknown;
    await tracedPublish('pulse.late.acme', {}, h, async (sent) => {
      given = sent;
    });
    expect(given).toBe(h);
    expect(h.get('Pulse-Late-Reason')).toBe('beyond_allowed_lateness');
    expect(h.get('traceparent')).toMatch(W3C_TRACEPARENT);
  });

  it('processes a message in a CONSUMER span whose parent is the publish span it was sent in', async () => {
    let message: ConsumedMessage | undefined;
    await tracedPublish('pulse.clean.3', { msgId: 'acme:e-2' }, undefined, async (h) => {
      h?.set('Nats-Msg-Id', 'acme:e-2');
      message = { subject: 'pulse.clean.3', headers: h, seq: 17, data };
    });
    let activeInHandler: string | undefined;
    await tracedProcess(message!, 'cleaner', async () => {
      activeInHandler = trace.getActiveSpan()?.spanContext().spanId;
    });

    const publish = spans.spans.find((s) => s.name === 'publish pulse.clean.*')!;
    const process = spans.spans.find((s) => s.name === 'process pulse.clean.*')!;
    expect(process.kind).toBe(SpanKind.CONSUMER);
    expect(process.spanContext().traceId).toBe(publish.spanContext().traceId);
    expect(process.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
    expect(activeInHandler).toBe(process.spanContext().spanId);
    expect(process.attributes).toMatchObject({
      'messaging.operation.type': 'process',
      'messaging.consumer.group.name': 'cleaner',
      'messaging.message.id': 'acme:e-2',
      'messaging.nats.stream_sequence': 17,
    });
  });

  it('starts a new trace for a message without trace headers', async () => {
    await tracedProcess({ subject: 'pulse.agg.1', seq: 1, data }, 'store', async () => undefined);
    const process = spans.spans.find((s) => s.name === 'process pulse.agg.*')!;
    expect(process.parentSpanContext).toBeUndefined();
  });

  it('marks the span failed and rethrows when the publish or the handler throws', async () => {
    await expect(
      tracedPublish('pulse.raw.acme', {}, undefined, async () => {
        throw new Error('nats: timeout');
      }),
    ).rejects.toThrow('nats: timeout');
    await expect(
      tracedProcess({ subject: 'pulse.raw.acme', seq: 1, data }, 'cleaner', async () => {
        throw new TypeError('bad');
      }),
    ).rejects.toThrow('bad');
    const [publish, process] = spans.spans;
    expect(publish.status).toEqual({ code: SpanStatusCode.ERROR, message: 'nats: timeout' });
    expect(publish.attributes['error.type']).toBe('Error');
    expect(process.status.code).toBe(SpanStatusCode.ERROR);
    expect(process.attributes['error.type']).toBe('TypeError');
  });

  it('copies only the trace context into a fresh header set per batch message', async () => {
    await tracedPublish('pulse.raw.acme', { batchSize: 3 }, undefined, async (h) => {
      h?.set('Nats-Msg-Id', 'belongs-to-the-first-message');
      const copy = copyTraceHeaders(h)!;
      expect(copy).not.toBe(h);
      expect(copy.get('traceparent')).toBe(h?.get('traceparent'));
      expect(copy.has('Nats-Msg-Id')).toBe(false);
    });
    expect(copyTraceHeaders(undefined)).toBeUndefined();
    expect(spans.spans[0].attributes['messaging.batch.message_count']).toBe(3);
  });
});

describe('LinkSample', () => {
  const id = (n: number) => n.toString(16).padStart(32, '0');

  it('keeps at most its capacity, only sampled contexts, and starts over after drain()', () => {
    const sample = new LinkSample(4);
    for (let n = 1; n <= 100; n += 1) sample.offer(spanContext(id(n)));
    sample.offer(spanContext(id(999), TraceFlags.NONE));
    sample.offer(undefined);
    expect(sample.size).toBe(4);
    const links = sample.drain();
    expect(links).toHaveLength(4);
    expect(new Set(links.map((l) => l.context.traceId)).size).toBe(4);
    expect(links.every((l) => l.context.traceId !== id(999))).toBe(true);
    expect(sample.drain()).toEqual([]);
  });

  it('keeps every context while fewer than its capacity were offered', () => {
    const sample = new LinkSample(32);
    for (let n = 1; n <= 5; n += 1) sample.offer(spanContext(id(n)));
    expect(sample.drain().map((l) => l.context.traceId)).toEqual([1, 2, 3, 4, 5].map(id));
  });

  it('gives late arrivals the same chance as early ones (reservoir sampling)', () => {
    // 2,000 rounds of 20 offers into 4 slots: each offer should be kept 4/20 = 20% of the time.
    let state = 7;
    const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const kept = new Array<number>(20).fill(0);
    const sample = new LinkSample(4, random);
    for (let round = 0; round < 2_000; round += 1) {
      for (let n = 1; n <= 20; n += 1) sample.offer(spanContext(id(n)));
      for (const link of sample.drain()) kept[parseInt(link.context.traceId, 16) - 1] += 1;
    }
    for (const count of kept) expect(count / 2_000).toBeGreaterThan(0.15);
    for (const count of kept) expect(count / 2_000).toBeLessThan(0.25);
  });
});
