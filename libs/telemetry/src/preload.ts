/**
 * Loaded with `node --import` before the service, so OpenTelemetry is started before Nest and the
 * libraries it patches are imported. Configured only by the standard OTEL_* variables (see
 * docs/operations.md); without an exporter endpoint, or with OTEL_SDK_DISABLED=true, no SDK is
 * loaded and the tracing calls in the services stay no-ops. Metrics are always on: without the
 * SDK a bare MeterProvider serves `/metrics` (Prometheus) and pushes nowhere unless
 * OTEL_METRICS_EXPORTER names an exporter; it is registered here, before any instrument is made.
 *
 * Services are native ESM: the instrumentations patch modules through import-in-the-middle's
 * loader hook, which has to be registered here, before the service's first `import` is resolved.
 * CommonJS packages imported from ESM (cassandra-driver, @grpc/grpc-js, fastify) go through the
 * same hook.
 */
import { register } from 'node:module';

import { setTelemetryShutdown } from './sdk-lifecycle.js';
import { sdkEnabled, serviceNameFromEntry } from './sdk-settings.js';

// A service started without OTEL_SERVICE_NAME is named after its folder (services/<name>/).
const serviceName = serviceNameFromEntry(process.env, process.argv[1]);
if (serviceName) process.env.OTEL_SERVICE_NAME = serviceName;

let shutdown: () => Promise<void>;
if (sdkEnabled(process.env)) {
  // Before anything that the instrumentations patch is imported (the SDK and its exporters too).
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const { createMetricReaders } = await import('./metrics-sdk.js');
  const { startSdk } = await import('./sdk.js');
  const sdk = startSdk(await createMetricReaders(process.env));
  shutdown = () => sdk.shutdown();
} else {
  const { createMetricReaders, startMeterProvider } = await import('./metrics-sdk.js');
  const provider = startMeterProvider(await createMetricReaders(process.env));
  shutdown = () => provider.shutdown();
}
// runService ends with process.exit() after the drain: it flushes the last spans and metrics first.
setTelemetryShutdown(shutdown);
process.once('beforeExit', () => void shutdown().catch(() => undefined));

export {};
