/**
 * Loaded with `node --import` before the service so OpenTelemetry starts before Nest and the
 * libraries it patches load. Configured only by the standard OTEL_* variables; without an
 * exporter endpoint (or with OTEL_SDK_DISABLED=true) the SDK is not even loaded.
 * Instrumentations, NATS context propagation and metrics: issue 7.
 */
const enabled =
  process.env.OTEL_SDK_DISABLED !== 'true' &&
  Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);

if (enabled) {
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK();
  sdk.start();
  process.once('beforeExit', () => {
    void sdk.shutdown().catch(() => undefined);
  });
}

export {};
