import { createServer, type Server } from 'node:http';

// An OTLP/HTTP receiver with JSON bodies (OTEL_EXPORTER_OTLP_PROTOCOL=http/json) for e2e tests:
// keeps the spans pushed to /v1/traces and the metrics pushed to /v1/metrics, answers 200 to logs too.

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type OtlpAttribute = { key: string; value: OtlpValue };

export function otlpAttributes(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries(
    (list ?? []).map(({ key, value }) => [
      key,
      value.stringValue ??
        (value.intValue !== undefined ? Number(value.intValue) : (value.boolValue ?? value.doubleValue)),
    ]),
  );
}

export interface ReceivedMetric {
  /** `service.name` of the resource that pushed it */
  service: string;
  scope: string;
  name: string;
  unit?: string;
}

export interface ReceivedSpan {
  /** `service.name` of the resource that pushed it */
  service: string;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP enum: 1 internal, 2 server, 3 client, 4 producer, 5 consumer */
  kind: number;
  links: Array<{ traceId: string; spanId: string }>;
  attributes: Record<string, unknown>;
}

export const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

interface TracesRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{
      scope?: { name?: string };
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        links?: Array<{ traceId: string; spanId: string }>;
        attributes?: OtlpAttribute[];
      }>;
    }>;
  }>;
}

interface MetricsRequest {
  resourceMetrics?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeMetrics?: Array<{ scope?: { name?: string }; metrics?: Array<{ name: string; unit?: string }> }>;
  }>;
}

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly metrics: ReceivedMetric[] = [];
  private server?: Server;

  async start(port: number): Promise<void> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = () => JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        if (request.url === '/v1/metrics') this.collectMetrics(body() as MetricsRequest);
        if (request.url === '/v1/traces') this.collectSpans(body() as TracesRequest);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private collectSpans(body: TracesRequest): void {
    for (const resourceSpans of body.resourceSpans ?? []) {
      const service = String(otlpAttributes(resourceSpans.resource?.attributes)['service.name']);
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          this.spans.push({
            service,
            scope: scopeSpans.scope?.name ?? '',
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId || undefined,
            name: span.name,
            kind: span.kind,
            links: (span.links ?? []).map(({ traceId, spanId }) => ({ traceId, spanId })),
            attributes: otlpAttributes(span.attributes),
          });
        }
      }
    }
  }

  private collectMetrics(body: MetricsRequest): void {
    for (const resourceMetrics of body.resourceMetrics ?? []) {
      const service = String(otlpAttributes(resourceMetrics.resource?.attributes)['service.name']);
      for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
        for (const metric of scopeMetrics.metrics ?? []) {
          this.metrics.push({ service, scope: scopeMetrics.scope?.name ?? '', name: metric.name, unit: metric.unit });
        }
      }
    }
  }
}
