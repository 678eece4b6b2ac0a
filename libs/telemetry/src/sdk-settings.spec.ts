import { isUntracedPath, sdkEnabled, serviceNameFromEntry } from './sdk-settings.js';

describe('sdkEnabled', () => {
  it('starts the SDK only with an OTLP endpoint and not when OTEL_SDK_DISABLED is true', () => {
    expect(sdkEnabled({})).toBe(false);
    expect(sdkEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(sdkEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(sdkEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'TRUE' })).toBe(false);
    expect(sdkEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'false' })).toBe(true);
  });

  it('starts it for an exporter that needs no OTLP endpoint (the local Zipkin), not for otlp or none alone', () => {
    expect(sdkEnabled({ OTEL_TRACES_EXPORTER: 'zipkin' })).toBe(true);
    expect(sdkEnabled({ OTEL_TRACES_EXPORTER: 'otlp, Console' })).toBe(true);
    expect(sdkEnabled({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
    expect(sdkEnabled({ OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(sdkEnabled({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_SDK_DISABLED: 'true' })).toBe(false);
  });
});

describe('serviceNameFromEntry', () => {
  const entry = '/app/dist/services/ingest-gateway/src/main.js';

  it('names the service after its folder when nothing else names it', () => {
    expect(serviceNameFromEntry({}, entry)).toBe('ingest-gateway');
    expect(serviceNameFromEntry({}, '/app/tools/loadgen/main.js')).toBeUndefined();
    expect(serviceNameFromEntry({}, undefined)).toBeUndefined();
  });

  it('leaves OTEL_SERVICE_NAME and a service.name resource attribute alone', () => {
    expect(serviceNameFromEntry({ OTEL_SERVICE_NAME: 'gw' }, entry)).toBeUndefined();
    expect(serviceNameFromEntry({ OTEL_RESOURCE_ATTRIBUTES: 'env=prod, service.name=gw' }, entry)).toBeUndefined();
    expect(serviceNameFromEntry({ OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=pulse' }, entry)).toBe('ingest-gateway');
  });
});

describe('isUntracedPath', () => {
  it('skips probes and scrapes, with or without a query, and nothing else', () => {
    expect(['/healthz', '/readyz', '/metrics', '/readyz?verbose=1'].map(isUntracedPath)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['/v1/events', '/metricsx', '/', undefined].map(isUntracedPath)).toEqual([false, false, false, false]);
  });
});
