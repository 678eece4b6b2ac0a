/**
 * Loaded with `node --import` before the service so OpenTelemetry is set up before Nest and the
 * libraries it patches load. Configured only by the standard OTEL_* variables; without an
 * exporter endpoint the SDK stays off and costs nothing. (Instrumentations: issue 7.)
 */
import { NodeSDK } from '@opentelemetry/sdk-node';

const enabled =
  process.env.OTEL_SDK_DISABLED !== 'true' &&
  Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);

if (enabled) {
  const sdk = new NodeSDK();
  sdk.start();
  const stop = () => {
    void sdk.shutdown().catch(() => undefined);
  };
  process.once('beforeExit', stop);
}
