import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';

/** Prometheus text exposition format, version 0.0.4: what every Prometheus scrapes. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

let reader: PrometheusExporter | undefined;
const serializer = new PrometheusSerializer();

/**
 * The process's Prometheus reader: a pull MetricReader that starts no server of its own; the
 * service's `/metrics` route (MetricsController) asks it for the current values. One per process,
 * made by the preload and registered with the MeterProvider there.
 */
export function prometheusReader(): PrometheusExporter {
  reader ??= new PrometheusExporter({ preventServerStart: true });
  return reader;
}

/** The current metrics as Prometheus text; a comment only when the preload set up no MeterProvider. */
export async function prometheusText(): Promise<string> {
  if (!reader) return '# no MeterProvider: the service was started without the telemetry preload\n';
  const { resourceMetrics, errors } = await reader.collect();
  const text = serializer.serialize(resourceMetrics);
  return errors.length > 0 ? `${text}# ${errors.length} collection error(s)\n` : text;
}
