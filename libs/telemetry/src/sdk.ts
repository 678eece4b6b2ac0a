import { FastifyOtelInstrumentation } from '@fastify/otel';
import { CassandraDriverInstrumentation } from '@opentelemetry/instrumentation-cassandra-driver';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { type IMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';

import { METRIC_VIEWS } from './metrics-sdk.js';
import { isUntracedPath } from './sdk-settings.js';

/**
 * The NodeSDK with the given metric readers and everything else from OTEL_* (exporter and protocol — http/protobuf unless
 * OTEL_EXPORTER_OTLP_PROTOCOL says otherwise —, sampler, resource, batch settings).
 *
 * NestJS: @opentelemetry/instrumentation-nestjs-core (0.71.0, the newest) only patches
 * @nestjs/core below 12, so it is not installed; the request is covered by the HTTP server span,
 * Fastify's request and handler spans (@fastify/otel, the Fastify team's instrumentation that
 * replaced @opentelemetry/instrumentation-fastify) and the gRPC server span.
 */
export function startSdk(metricReaders: IMetricReader[]): NodeSDK {
  const sdk = new NodeSDK({
    // Given in code, these replace the readers the NodeSDK would build from OTEL_METRICS_EXPORTER
    // (createMetricReaders builds them by the same variables, plus the Prometheus reader).
    metricReaders,
    views: METRIC_VIEWS,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => isUntracedPath(request.url),
      }),
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        // The request and handler spans; one span per lifecycle hook is noise on every request.
        instrumentHooks: false,
        ignorePaths: ({ url }) => isUntracedPath(url),
      }),
      new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch'] }),
      // db.query.text: the statement only (this flag adds nothing else in 0.69.0). Every Pulse
      // statement is prepared with bound values, so the text holds `?` markers, never data.
      new CassandraDriverInstrumentation({ enhancedDatabaseReporting: true, maxQueryLength: 1_000 }),
    ],
  });
  sdk.start();
  return sdk;
}
