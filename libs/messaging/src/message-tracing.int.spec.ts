import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { NodeSDK, type NodeSDKConfiguration } from '@opentelemetry/sdk-node';

import { JetStreamConnection } from './jetstream-connection.js';
import { encodeJson } from './message-codec.js';
import { tracedPublish } from './message-tracing.js';
import { PullConsumer } from './pull-consumer.js';

// Trace context through a real JetStream stream: the headers written at publish come back on the
// consumed message, and the pull consumer's process span continues the publish span.
type SpanProcessor = NonNullable<NodeSDKConfiguration['spanProcessors']>[number];
type EndedSpan = Parameters<SpanProcessor['onEnd']>[0];

const natsUrl = () => process.env.PULSE_NATS_URL ?? 'nats://127.0.0.1:14222';

describe('trace context over JetStream (real NATS)', () => {
  const ended: EndedSpan[] = [];
  const sdk = new NodeSDK({
    spanProcessors: [
      {
        onStart: () => undefined,
        onEnd: (span) => ended.push(span),
        forceFlush: async () => undefined,
        shutdown: async () => undefined,
      },
    ],
    metricReaders: [],
    logRecordProcessors: [],
    autoDetectResources: false,
  });
  const name = `TTRACE${Date.now().toString(36)}`.toUpperCase();
  let connection: JetStreamConnection;

  beforeAll(async () => {
    sdk.start();
    connection = new JetStreamConnection({
      servers: [natsUrl()],
      name: 'tracing-itest',
      streams: [
        {
          name,
          subjects: [`itest.${name.toLowerCase()}.>`],
          replicas: 1,
          maxAgeMs: 3_600_000,
          maxBytes: 16 * 1024 * 1024,
          duplicateWindowMs: 60_000,
          discard: 'new',
          allowBatched: false,
        },
      ],
    });
    await connection.open();
  });

  afterAll(async () => {
    await connection.jsm.streams.delete(name).catch(() => undefined);
    await connection.close();
    await sdk.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('makes the pull consumer’s process span a child of the publish span the message was sent in', async () => {
    const subject = `itest.${name.toLowerCase()}.acme`;
    const data = encodeJson({ n: 1 });
    await tracedPublish(subject, { msgId: 'acme:e-1', bodySize: data.length }, undefined, (headers) =>
      connection.js.publish(subject, data, { msgID: 'acme:e-1', headers }),
    );
    const consumer = new PullConsumer(connection, {
      stream: name,
      durable: 'itest',
      filterSubjects: [`itest.${name.toLowerCase()}.>`],
      maxInFlight: 2,
      ackWaitMs: 5_000,
      maxDeliver: 3,
    });
    let traceparent: string | undefined;
    let handled = false;
    await consumer.start(async (message) => {
      traceparent = message.headers?.get('traceparent');
      message.ack();
      handled = true;
    });
    const deadline = Date.now() + 10_000;
    while (!ended.some((span) => span.kind === SpanKind.CONSUMER) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await consumer.stop();

    const publish = ended.find((span) => span.kind === SpanKind.PRODUCER);
    const process = ended.find((span) => span.kind === SpanKind.CONSUMER);
    expect(handled).toBe(true);
    expect(publish?.name).toBe(`publish itest.${name.toLowerCase()}.*`);
    expect(traceparent).toBe(`00-${publish!.spanContext().traceId}-${publish!.spanContext().spanId}-01`);
    expect(process).toMatchObject({ name: `process itest.${name.toLowerCase()}.*` });
    expect(process!.spanContext().traceId).toBe(publish!.spanContext().traceId);
    expect(process!.parentSpanContext?.spanId).toBe(publish!.spanContext().spanId);
    expect(process!.attributes).toMatchObject({
      'messaging.consumer.group.name': 'itest',
      'messaging.message.id': 'acme:e-1',
      'messaging.destination.name': subject,
    });
  });
});
