import { otlpMetricsProtocol, pushMetricExporters } from './metrics-settings.js';

describe('pushMetricExporters', () => {
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };

  it('pushes OTLP by default only when an OTLP endpoint is configured', () => {
    expect(pushMetricExporters({})).toEqual([]);
    expect(pushMetricExporters(endpoint)).toEqual(['otlp']);
    expect(pushMetricExporters({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://c:4318/v1/metrics' })).toEqual(['otlp']);
  });

  it('follows OTEL_METRICS_EXPORTER: none wins, prometheus is left to /metrics, duplicates collapse', () => {
    expect(pushMetricExporters({ ...endpoint, OTEL_METRICS_EXPORTER: 'none' })).toEqual([]);
    expect(pushMetricExporters({ ...endpoint, OTEL_METRICS_EXPORTER: 'otlp, none' })).toEqual([]);
    expect(pushMetricExporters({ ...endpoint, OTEL_METRICS_EXPORTER: 'prometheus' })).toEqual([]);
    expect(pushMetricExporters({ OTEL_METRICS_EXPORTER: 'OTLP,console,otlp' })).toEqual(['otlp', 'console']);
  });

  it('pushes nothing when OTEL_SDK_DISABLED is true', () => {
    expect(pushMetricExporters({ ...endpoint, OTEL_SDK_DISABLED: 'true', OTEL_METRICS_EXPORTER: 'otlp' })).toEqual([]);
  });
});

describe('otlpMetricsProtocol', () => {
  it('takes the metrics protocol, else the shared one, else http/protobuf', () => {
    expect(otlpMetricsProtocol({})).toBe('http/protobuf');
    expect(otlpMetricsProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBe('http/json');
    expect(
      otlpMetricsProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc' }),
    ).toBe('grpc');
    expect(otlpMetricsProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon' })).toBe('http/protobuf');
  });
});
