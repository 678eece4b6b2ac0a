type Env = Record<string, string | undefined>;

/**
 * The SDK starts when OTEL_SDK_DISABLED is not `true` and spans have somewhere to go: an OTLP
 * endpoint is configured, or OTEL_TRACES_EXPORTER names an exporter that needs none (`zipkin`,
 * which the local trace viewer uses, or `console`). Without either nothing is traced.
 */
export function sdkEnabled(env: Env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return true;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((name) => name.trim().toLowerCase());
  return exporters.some((name) => name === 'zipkin' || name === 'console');
}

/**
 * The service name when neither OTEL_SERVICE_NAME nor `service.name` in OTEL_RESOURCE_ATTRIBUTES
 * sets one: the folder of the entry point (`.../services/<name>/src/main.js` → `<name>`).
 */
export function serviceNameFromEntry(env: Env, entry: string | undefined): string | undefined {
  if (env.OTEL_SERVICE_NAME) return undefined;
  if (/(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '')) return undefined;
  return entry?.match(/[/\\]services[/\\]([^/\\]+)[/\\]/)?.[1];
}

/** Probe and scrape endpoints: answered thousands of times a day, never worth a span. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export function isUntracedPath(url: string | undefined): boolean {
  if (!url) return false;
  const end = url.indexOf('?');
  return UNTRACED_PATHS.has(end === -1 ? url : url.slice(0, end));
}
