/**
 * Loaded with `node --import` before the service, so OpenTelemetry is started before Nest and the
 * libraries it patches are imported. Configured only by the standard OTEL_* variables (see
 * docs/operations.md); without an exporter endpoint, or with OTEL_SDK_DISABLED=true, nothing is
 * loaded and the @opentelemetry/api calls in the services stay no-ops.
 *
 * Services are native ESM: the instrumentations patch modules through import-in-the-middle's
 * loader hook, which has to be registered here, before the service's first `import` is resolved.
 * CommonJS packages imported from ESM (cassandra-driver, @grpc/grpc-js, fastify) go through the
 * same hook.
 */
import { register } from 'node:module';

import { setTelemetryShutdown } from './sdk-lifecycle.js';
import { sdkEnabled, serviceNameFromEntry } from './sdk-settings.js';

if (sdkEnabled(process.env)) {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  // A service started without OTEL_SERVICE_NAME is named after its folder (services/<name>/).
  const serviceName = serviceNameFromEntry(process.env, process.argv[1]);
  if (serviceName) process.env.OTEL_SERVICE_NAME = serviceName;
  const { startSdk } = await import('./sdk.js');
  const sdk = startSdk();
  // runService ends with process.exit() after the drain: it flushes the last spans first.
  setTelemetryShutdown(() => sdk.shutdown());
  process.once('beforeExit', () => void sdk.shutdown().catch(() => undefined));
}

export {};
