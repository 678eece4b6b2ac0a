import { FastifyOtelInstrumentation } from '@fastify/otel';
import { CassandraDriverInstrumentation } from '@opentelemetry/instrumentation-cassandra-driver';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { type IMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';

import { METRIC_VIEWS } from './metrics-sdk.js';
import { isUntracedPath } from './sdk-settings.js';

/**
 * The NodeSDK with the given metric readers and everything else from OTEL_* (exporter and protocol — http/protobuf unless
 * OTEL_EXPORTER_OTLP_PROTOCOL says otherwise —, sampler, resource, batch settings).
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
      new Nest12Instrumentation(),
      // db.query.text: the statement only (this flag adds nothing else in 0.69.0). Every Pulse
      // statement is prepared with bound values, so the text holds `?` markers, never data.
      new CassandraDriverInstrumentation({ enhancedDatabaseReporting: true, maxQueryLength: 1_000 }),
    ],
  });
  sdk.start();
  return sdk;
}

/** The @nestjs/core versions Pulse runs on that the released instrumentation does not list yet. */
export const NEST_SUPPORTED_VERSIONS = ['>=4.0.0 <13'];

/**
 * @opentelemetry/instrumentation-nestjs-core 0.71.0 (the newest release) gates its patches on
 * `@nestjs/core` `>=4.0.0 <12`. Its fix for NestJS 12 (open-telemetry/opentelemetry-js-contrib
 * PR #3733, merged, not released yet) widens that gate to `<13` and, for CommonJS applications
 * only, re-requires two files that Nest 12's ESM build hides from the require hook. Pulse's
 * services are native ESM and go through the import hook the preload registers, so the gate is
 * the only change they need: this subclass widens it and changes nothing else. Delete it when a
 * release includes the fix (the tracing e2e asserts the Nest request-handler span either way).
 */
export class Nest12Instrumentation extends NestInstrumentation {
  override init(): ReturnType<NestInstrumentation['init']> {
    const definitions = super.init();
    for (const definition of [definitions ?? []].flat()) {
      definition.supportedVersions = NEST_SUPPORTED_VERSIONS;
      for (const file of definition.files) file.supportedVersions = NEST_SUPPORTED_VERSIONS;
    }
    return definitions;
  }
}
