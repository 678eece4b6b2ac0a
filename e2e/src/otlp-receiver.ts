import { createServer, type Server } from 'node:http';

// An OTLP/HTTP receiver with JSON bodies (OTEL_EXPORTER_OTLP_PROTOCOL=http/json) for e2e tests:
// keeps the metrics each service pushes to /v1/metrics, answers 200 to traces and logs too.

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

interface MetricsRequest {
  resourceMetrics?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeMetrics?: Array<{ scope?: { name?: string }; metrics?: Array<{ name: string; unit?: string }> }>;
  }>;
}

export class OtlpReceiver {
  readonly metrics: ReceivedMetric[] = [];
  private server?: Server;

  async start(port: number): Promise<void> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.url === '/v1/metrics') {
          this.collectMetrics(JSON.parse(Buffer.concat(chunks).toString('utf8')) as MetricsRequest);
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
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
