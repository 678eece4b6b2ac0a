type Env = Record<string, string | undefined>;

/** A push exporter the SDK runs beside the always-on Prometheus reader. */
export type PushMetricExporter = 'otlp' | 'console';

/**
 * The push exporters OTEL_METRICS_EXPORTER asks for, read the way the NodeSDK reads it (a comma
 * list; `none` anywhere turns them all off; unset means `otlp`), with two Pulse rules: unset
 * means `otlp` only when an OTLP endpoint is configured (the local default has none and must not
 * push to localhost:4318), and `prometheus` is dropped — `/metrics` on the service's own HTTP port
 * always serves it, and the SDK's variant would open a second server on 9464.
 */
export function pushMetricExporters(env: Env): PushMetricExporter[] {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return [];
  const named = [
    ...new Set(
      (env.OTEL_METRICS_EXPORTER ?? '')
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  if (named.includes('none')) return [];
  if (named.length === 0) {
    return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ? ['otlp'] : [];
  }
  return named.filter((name): name is PushMetricExporter => name === 'otlp' || name === 'console');
}

/** The OTLP protocol of metrics: OTEL_EXPORTER_OTLP_METRICS_PROTOCOL, else the shared one, else http/protobuf. */
export function otlpMetricsProtocol(env: Env): 'grpc' | 'http/json' | 'http/protobuf' {
  const protocol = (env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim();
  return protocol === 'grpc' || protocol === 'http/json' ? protocol : 'http/protobuf';
}
