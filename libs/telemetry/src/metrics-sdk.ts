import { metrics } from '@opentelemetry/api';
import { defaultResource, detectResources, envDetector } from '@opentelemetry/resources';
import {
  AggregationType,
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type IMetricReader,
  type PushMetricExporter as SdkPushExporter,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';

import { otlpMetricsProtocol, pushMetricExporters } from './metrics-settings.js';
import { prometheusReader } from './prometheus-metrics.js';

type Env = Record<string, string | undefined>;

/**
 * @opentelemetry/instrumentation-http (0.301.0) records `http.server.request.duration` too, when
 * the NodeSDK hands it the MeterProvider; without a route label. Pulse records that histogram
 * itself, with `http.route` (http-server-metrics.ts): the instrumentation's copy is dropped so
 * there is one series per request, not two of the same name.
 */
export const METRIC_VIEWS: ViewOptions[] = [
  { meterName: '@opentelemetry/instrumentation-http', aggregation: { type: AggregationType.DROP } },
];

async function otlpExporter(env: Env): Promise<SdkPushExporter> {
  switch (otlpMetricsProtocol(env)) {
    case 'grpc':
      return new (await import('@opentelemetry/exporter-metrics-otlp-grpc')).OTLPMetricExporter();
    case 'http/json':
      return new (await import('@opentelemetry/exporter-metrics-otlp-http')).OTLPMetricExporter();
    default:
      return new (await import('@opentelemetry/exporter-metrics-otlp-proto')).OTLPMetricExporter();
  }
}

function positive(value: string | undefined): number | undefined {
  const number = Number(value);
  return value !== undefined && Number.isFinite(number) && number > 0 ? number : undefined;
}

/**
 * Every reader of the process: the Prometheus reader behind `/metrics`, always, and a periodic
 * push reader per exporter OTEL_METRICS_EXPORTER asks for (OTEL_METRIC_EXPORT_INTERVAL, default
 * 60 s, and OTEL_METRIC_EXPORT_TIMEOUT, default 30 s, capped to the interval — the SDK's rules).
 * Passed to the NodeSDK as `metricReaders`, which replaces its own OTEL_METRICS_EXPORTER readers:
 * each reader is registered once.
 */
export async function createMetricReaders(env: Env): Promise<IMetricReader[]> {
  const readers: IMetricReader[] = [prometheusReader()];
  const exportIntervalMillis = positive(env.OTEL_METRIC_EXPORT_INTERVAL) ?? 60_000;
  const exportTimeoutMillis = Math.min(positive(env.OTEL_METRIC_EXPORT_TIMEOUT) ?? 30_000, exportIntervalMillis);
  for (const kind of pushMetricExporters(env)) {
    const exporter = kind === 'otlp' ? await otlpExporter(env) : new ConsoleMetricExporter();
    readers.push(new PeriodicExportingMetricReader({ exporter, exportIntervalMillis, exportTimeoutMillis }));
  }
  return readers;
}

/**
 * Metrics without the NodeSDK (no OTLP trace endpoint, or OTEL_SDK_DISABLED=true): a MeterProvider
 * with the readers above and the resource from OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES,
 * registered globally before the service's instruments are created.
 */
export function startMeterProvider(readers: IMetricReader[]): MeterProvider {
  const provider = new MeterProvider({
    resource: defaultResource().merge(detectResources({ detectors: [envDetector] })),
    readers,
    views: METRIC_VIEWS,
  });
  metrics.setGlobalMeterProvider(provider);
  return provider;
}
