import {
  ensureLocalSecrets,
  freePort,
  LocalPlatform,
  PrivateNats,
  sharedCassandraEnv,
  workspaceRoot,
  type PlatformPorts,
  type ServiceName,
} from '@pulse/testing';

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { credentials, Client as GrpcClient, Metadata } from '@grpc/grpc-js';

import { OtlpReceiver, SPAN_KIND, type ReceivedSpan } from './otlp-receiver.js';

// One event through the real services, traced end to end. The OTLP receiver is an HTTP server in
// this process; the services export to it as OTLP/HTTP with JSON bodies
// (OTEL_EXPORTER_OTLP_PROTOCOL=http/json) — production keeps the default http/protobuf, and the
// protocol does not change which spans are made. The services use a NATS server of their own, so
// no stream of another test is read or deleted.

const KIND = SPAN_KIND;

async function waitFor<T>(what: string, find: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('tracing: one event, one trace from the HTTP request to the Cassandra write', () => {
  const runDir = join(workspaceRoot, '.run/test/e2e-tracing');
  const secrets = ensureLocalSecrets(runDir, ['trace']);
  const receiver = new OtlpReceiver();
  const logs = new Map<ServiceName, string[]>();
  let nats: PrivateNats;
  let platform: LocalPlatform;
  let ports: PlatformPorts;

  beforeAll(async () => {
    nats = new PrivateNats(await freePort());
    await nats.start();
    const receiverPort = await freePort();
    await receiver.start(receiverPort);
    ports = {
      gatewayHttp: await freePort(),
      cleanerHttp: await freePort(),
      aggregatorHttp: await freePort(),
      storeHttp: await freePort(),
      storeGrpc: await freePort(),
      forecastHttp: await freePort(),
      forecastGrpc: await freePort(),
    };
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiverPort}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      // Debug lines: the pull consumers log each handled message, inside its span.
      PULSE_LOG_LEVEL: 'debug',
    };
    platform = new LocalPlatform({
      runDir,
      ports,
      secrets,
      keyspace: `pulse_trace_${Date.now().toString(36)}`,
      partitions: 4,
      infraEnv: sharedCassandraEnv(nats.url),
      extraEnv: {
        // Not in PlatformPorts: a free one, so a demo or another test on the default port does not collide.
        'ingest-gateway': { ...otel, PULSE_INGEST_GRPC_PORT: String(await freePort()) },
        cleaner: otel,
        aggregator: { ...otel, PULSE_AGGREGATOR_EMIT_INTERVAL_MS: '200' },
        store: otel,
        forecast: otel,
      },
      onLine: (service, line) => {
        const lines = logs.get(service) ?? [];
        lines.push(line);
        logs.set(service, lines);
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

  it('links the gateway’s HTTP span, every JetStream hop, the store’s write and its Cassandra statement', async () => {
    // The shop's own trace context: the gateway's server span continues it, so its id finds the trace.
    const traceId = randomBytes(16).toString('hex');
    const response = await fetch(`http://127.0.0.1:${ports.gatewayHttp}/v1/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': secrets.apiKeys.trace,
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      },
      body: JSON.stringify({
        events: [
          { event_id: 'traced-1', type: 'purchase', occurred_at: Date.now() - 5_000, price: '19.99', user_id: 'u-1' },
        ],
      }),
    });
    expect(response.status).toBe(202);

    const inTrace = (id: string) => receiver.spans.filter((span) => span.traceId === id);
    const one = (id: string, service: string, name: string, kind: number) =>
      inTrace(id).find((span) => span.service === service && span.name === name && span.kind === kind);

    // gateway → pulse.raw → cleaner → pulse.clean → aggregator, each a child of the one before.
    // Each process exports its spans in its own batches: wait until every hop's span has arrived.
    const aggregatorProcess = await waitFor('every hop’s span in the event’s trace', () =>
      one(traceId, 'cleaner', 'process pulse.raw.*', KIND.consumer) &&
      one(traceId, 'cleaner', 'publish pulse.clean.*', KIND.producer) &&
      one(traceId, 'ingest-gateway', 'publish pulse.raw.*', KIND.producer)
        ? one(traceId, 'aggregator', 'process pulse.clean.*', KIND.consumer)
        : undefined,
    );
    const httpServer = inTrace(traceId).find(
      (span) =>
        span.service === 'ingest-gateway' && span.kind === KIND.server && span.scope.includes('instrumentation-http'),
    );
    const rawPublish = one(traceId, 'ingest-gateway', 'publish pulse.raw.*', KIND.producer);
    const cleanerProcess = one(traceId, 'cleaner', 'process pulse.raw.*', KIND.consumer);
    const cleanPublish = one(traceId, 'cleaner', 'publish pulse.clean.*', KIND.producer);
    expect(httpServer).toBeDefined();
    expect(httpServer!.attributes['http.request.method']).toBe('POST');
    expect(rawPublish).toMatchObject({
      attributes: {
        'messaging.system': 'nats',
        'messaging.destination.name': 'pulse.raw.trace',
        'messaging.operation.type': 'send',
        'messaging.message.id': 'trace:traced-1',
      },
    });
    expect(cleanerProcess).toMatchObject({
      parentSpanId: rawPublish!.spanId,
      attributes: { 'messaging.operation.type': 'process', 'messaging.consumer.group.name': 'cleaner' },
    });
    expect(cleanPublish?.parentSpanId).toBe(cleanerProcess!.spanId);
    expect(aggregatorProcess.parentSpanId).toBe(cleanPublish!.spanId);
    // The gateway's publish happens inside the request: somewhere under the HTTP server span.
    const ancestors = (span: ReceivedSpan): string[] => {
      const parent = inTrace(traceId).find((candidate) => candidate.spanId === span.parentSpanId);
      return parent ? [parent.spanId, ...ancestors(parent)] : [];
    };
    expect(ancestors(rawPublish!)).toContain(httpServer!.spanId);
    // NestJS (instrumentation-nestjs-core, gate widened to Nest 12 in libs/telemetry/src/sdk.ts):
    // the controller's request-context span sits under the HTTP span, and the publish under it.
    const nestRequest = inTrace(traceId).find(
      (span) => span.service === 'ingest-gateway' && span.attributes['nestjs.type'] === 'request_context',
    );
    expect(nestRequest).toBeDefined();
    expect(nestRequest!.scope).toContain('instrumentation-nestjs-core');
    expect(nestRequest!.attributes['nestjs.version']).toMatch(/^12\./);
    expect(ancestors(nestRequest!)).toContain(httpServer!.spanId);
    expect(ancestors(rawPublish!)).toContain(nestRequest!.spanId);

    // The aggregator's emission starts its own trace, linked to the events folded into it ...
    const linksToEvent = (span: ReceivedSpan) =>
      span.links.some((link) => link.traceId === traceId && link.spanId === aggregatorProcess.spanId);
    const emission = await waitFor('an emission linked to the event', () =>
      receiver.spans.find(
        (span) => span.service === 'aggregator' && span.name === 'emit pulse.agg.*' && linksToEvent(span),
      ),
    );
    // ... in which the store's write of a partial, and its Cassandra statement, are.
    const chain = await waitFor('publish → store process → write → Cassandra in the emission’s trace', () => {
      const spans = inTrace(emission.traceId);
      for (const write of spans.filter((span) => span.service === 'store' && span.name === 'upsert window_partial')) {
        const storeProcess = spans.find((span) => span.spanId === write.parentSpanId && span.kind === KIND.consumer);
        const publish = spans.find((span) => span.spanId === storeProcess?.parentSpanId);
        const cassandra = spans.find(
          (span) => span.parentSpanId === write.spanId && span.kind === KIND.client && span.scope.includes('cassandra'),
        );
        if (storeProcess && publish && cassandra) return { publish, storeProcess, write, cassandra };
      }
      return undefined;
    });
    expect(chain.publish).toMatchObject({
      service: 'aggregator',
      name: 'publish pulse.agg.*',
      parentSpanId: emission.spanId,
    });
    expect(chain.storeProcess).toMatchObject({ service: 'store', name: 'process pulse.agg.*' });
    expect(String(chain.cassandra.attributes['db.query.text'] ?? chain.cassandra.attributes['db.statement'])).toMatch(
      /^INSERT INTO /,
    );

    // The cleaner's log line for this message carries the trace id.
    const cleanerLines = (logs.get('cleaner') ?? []).flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
    const handled = cleanerLines.find((line) => line.trace_id === traceId);
    expect(handled).toMatchObject({
      service: 'cleaner',
      level: 'debug',
      span_id: cleanerProcess!.spanId,
      msg: expect.stringMatching(/^handled pulse\.raw\.trace#\d+$/),
    });
    // No line of any service holds the API key or the user id.
    for (const lines of logs.values()) {
      for (const line of lines) {
        expect(line).not.toContain(secrets.apiKeys.trace);
        expect(line).not.toContain('"u-1"');
      }
    }

    // gRPC (CommonJS @grpc/grpc-js under the ESM services): a call to the store is a server span.
    // An empty request is enough: the span is made whatever status the store answers.
    const grpc = new GrpcClient(`127.0.0.1:${ports.storeGrpc}`, credentials.createInsecure());
    const metadata = new Metadata();
    metadata.set('x-api-key', secrets.apiKeys.trace);
    await new Promise<void>((resolve) =>
      grpc.makeUnaryRequest(
        '/pulse.store.v1.MetricsService/GetSeries',
        (request: Buffer) => request,
        (response: Buffer) => response,
        Buffer.alloc(0),
        metadata,
        () => resolve(),
      ),
    );
    grpc.close();
    const grpcServer = await waitFor('the store’s gRPC server span', () =>
      receiver.spans.find(
        (span) =>
          span.service === 'store' &&
          span.kind === KIND.server &&
          span.scope.includes('instrumentation-grpc') &&
          span.name.endsWith('MetricsService/GetSeries'),
      ),
    );
    expect(grpcServer.attributes['rpc.system'] ?? grpcServer.attributes['rpc.system.name']).toBe('grpc');

    const describe = (span: ReceivedSpan) => `${span.service.padEnd(15)} ${span.name}`;
    const eventTrace = [httpServer!, rawPublish!, cleanerProcess!, cleanPublish!, aggregatorProcess];
    const writeTrace = [emission, chain.publish, chain.storeProcess, chain.write, chain.cassandra];
    process.stdout.write(
      `\n[e2e] trace ${traceId} (${inTrace(traceId).length} spans):\n` +
        eventTrace.map((span) => `  ${describe(span)}`).join('\n') +
        `\n  linked from emission trace ${emission.traceId} (${emission.links.length} links, ${inTrace(emission.traceId).length} spans):\n` +
        writeTrace.map((span) => `  ${describe(span)}`).join('\n') +
        `\n  log: ${JSON.stringify(handled)}\n  gRPC: ${describe(grpcServer)}\n`,
    );
  }, 90_000);
});
