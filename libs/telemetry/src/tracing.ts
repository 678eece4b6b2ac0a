import {
  context,
  ProxyTracerProvider,
  SpanStatusCode,
  trace,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';

const PROBE = '@pulse/telemetry';
let sdkSeen = false;

/**
 * True once an SDK tracer provider is registered (the preload registers it before the service is
 * imported). Lets hot paths skip span and header work entirely when tracing is off.
 */
export function tracingEnabled(): boolean {
  if (sdkSeen) return true;
  const provider = trace.getTracerProvider();
  sdkSeen = !(provider instanceof ProxyTracerProvider) || provider.getDelegateTracer(PROBE) !== undefined;
  return sdkSeen;
}

/** Marks a span failed with the error (its type, message and the exception event). */
export function recordFailure(span: Span, error: unknown): void {
  span.recordException(error as Error);
  span.setAttribute('error.type', (error as Error)?.name ?? 'Error');
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
}

/**
 * Runs `work` inside a new span of `tracer` (the active context's child unless `options.root`),
 * ending it when the work settles and marking it failed on a throw. Without an SDK it only calls
 * `work`, with no span.
 */
export async function withSpan<T>(
  tracer: Tracer,
  name: string,
  options: SpanOptions,
  work: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) return work(undefined);
  const span = tracer.startSpan(name, options);
  try {
    return await context.with(trace.setSpan(context.active(), span), () => work(span));
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}
