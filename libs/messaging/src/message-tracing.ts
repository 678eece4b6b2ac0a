import { recordFailure, tracingEnabled } from '@pulse/telemetry';

import { headers as createHeaders, type MsgHdrs } from '@nats-io/transport-node';
import {
  context,
  isSpanContextValid,
  propagation,
  SpanKind,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';

/**
 * NATS has no OpenTelemetry instrumentation, so Pulse propagates W3C trace context (traceparent,
 * tracestate) in JetStream message headers itself and makes the spans the messaging semantic
 * conventions describe: a PRODUCER span `publish <destination>` per publish and a CONSUMER span
 * `process <destination>` per message handled, the latter a child of the producer's context.
 * <destination> is the subject template (`pulse.clean.*`): one span name per stream, not per
 * tenant or partition; the subject itself is `messaging.destination.name`.
 *
 * Without a registered SDK (no OTEL endpoint) every function here calls straight through: no span,
 * no header object, no attribute object is allocated per message.
 */
const tracer = trace.getTracer('@pulse/messaging');

const headerSetter: TextMapSetter<MsgHdrs> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

const headerGetter: TextMapGetter<MsgHdrs> = {
  get: (carrier, key) => (carrier.has(key) ? carrier.get(key) : undefined),
  keys: (carrier) => carrier.keys(),
};

/** `pulse.raw.acme` → `pulse.raw.*`: every Pulse subject is `pulse.<stream>.<tenant or partition>`. */
export function subjectTemplate(subject: string): string {
  const dot = subject.lastIndexOf('.');
  return dot > subject.indexOf('.') ? `${subject.slice(0, dot)}.*` : subject;
}

function baseAttributes(subject: string, operation: 'publish' | 'process'): Attributes {
  return {
    'messaging.system': 'nats',
    'messaging.destination.name': subject,
    'messaging.destination.template': subjectTemplate(subject),
    'messaging.operation.name': operation,
    'messaging.operation.type': operation === 'publish' ? 'send' : 'process',
  };
}

/**
 * A fresh header set with the trace context of `source` (the batch span's): nats.js writes each
 * message's own headers (Nats-Msg-Id, batch sequence) into the object it is given, so messages of
 * one batch cannot share one. Undefined when `source` is.
 */
export function copyTraceHeaders(source: MsgHdrs | undefined): MsgHdrs | undefined {
  if (!source) return undefined;
  const copy = createHeaders();
  for (const key of TRACE_HEADERS) if (source.has(key)) copy.set(key, source.get(key));
  return copy;
}

const TRACE_HEADERS = ['traceparent', 'tracestate'];

export interface PublishTrace {
  /** Nats-Msg-Id of the message (`messaging.message.id`). */
  msgId?: string;
  /** Payload size in bytes (`messaging.message.body.size`). */
  bodySize?: number;
  /** For a span that covers a batch of messages (`messaging.batch.message_count`). */
  batchSize?: number;
  /** Contexts this message stands for besides its parent (e.g. the events folded into a partial). */
  links?: Link[];
  /** The parent context; the active one when not given. */
  parent?: Context;
}

/**
 * Runs one publish inside a PRODUCER span and hands `send` the headers to publish with: `headers`
 * (or new ones) with the span's traceparent added. The span ends when `send` settles, so it measures
 * the publish up to JetStream's ack.
 */
export async function tracedPublish<T>(
  subject: string,
  options: PublishTrace,
  headers: MsgHdrs | undefined,
  send: (headers: MsgHdrs | undefined) => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) return send(headers);
  const parent = options.parent ?? context.active();
  const span = tracer.startSpan(
    `publish ${subjectTemplate(subject)}`,
    { kind: SpanKind.PRODUCER, links: options.links, attributes: baseAttributes(subject, 'publish') },
    parent,
  );
  if (options.msgId !== undefined) span.setAttribute('messaging.message.id', options.msgId);
  if (options.bodySize !== undefined) span.setAttribute('messaging.message.body.size', options.bodySize);
  if (options.batchSize !== undefined) span.setAttribute('messaging.batch.message_count', options.batchSize);
  const carrier = headers ?? createHeaders();
  propagation.inject(trace.setSpan(parent, span), carrier, headerSetter);
  try {
    return await send(carrier);
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** What a consumer span needs of a JetStream message. */
export interface ConsumedMessage {
  subject: string;
  headers?: MsgHdrs;
  seq: number;
  data: Uint8Array;
}

/** The context a message was published in (its traceparent), or `base` when it carries none. */
export function extractMessageContext(message: Pick<ConsumedMessage, 'headers'>, base = context.active()): Context {
  return message.headers ? propagation.extract(base, message.headers, headerGetter) : base;
}

/**
 * Starts the CONSUMER span `process <destination>` of one message, a child of the context the
 * message was published in. Undefined when tracing is off. The caller ends it.
 */
export function startProcessSpan(message: ConsumedMessage, consumerGroup?: string): Span | undefined {
  if (!tracingEnabled()) return undefined;
  const parent = extractMessageContext(message, context.active());
  const span = tracer.startSpan(
    `process ${subjectTemplate(message.subject)}`,
    { kind: SpanKind.CONSUMER, attributes: baseAttributes(message.subject, 'process') },
    parent,
  );
  if (span.isRecording()) {
    span.setAttribute('messaging.message.body.size', message.data.length);
    const msgId = message.headers?.has('Nats-Msg-Id') ? message.headers.get('Nats-Msg-Id') : undefined;
    if (msgId) span.setAttribute('messaging.message.id', msgId);
    if (consumerGroup) span.setAttribute('messaging.consumer.group.name', consumerGroup);
    span.setAttribute('messaging.nats.stream_sequence', message.seq);
  }
  return span;
}

/**
 * Handles one message inside its CONSUMER span (and that span's context, so publishes and queries
 * the handler makes are its children). A throw marks the span failed and is rethrown.
 */
export async function tracedProcess<T>(
  message: ConsumedMessage,
  consumerGroup: string | undefined,
  handle: () => Promise<T>,
): Promise<T> {
  const span = startProcessSpan(message, consumerGroup);
  if (!span) return handle();
  try {
    return await context.with(trace.setSpan(context.active(), span), handle);
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * A uniform sample of at most `capacity` span contexts out of any number offered (reservoir
 * sampling, algorithm R): the links an output made of many inputs carries to (some of) them.
 * Only sampled contexts are kept — a link to a trace that was not recorded leads nowhere.
 */
export class LinkSample {
  private readonly contexts: SpanContext[] = [];
  private seen = 0;

  constructor(
    readonly capacity = 32,
    private readonly random: () => number = Math.random,
  ) {}

  get size(): number {
    return this.contexts.length;
  }

  offer(spanContext: SpanContext | undefined): void {
    if (!spanContext || !isSpanContextValid(spanContext)) return;
    if ((spanContext.traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.seen += 1;
    if (this.contexts.length < this.capacity) {
      this.contexts.push(spanContext);
      return;
    }
    const slot = Math.floor(this.random() * this.seen);
    if (slot < this.capacity) this.contexts[slot] = spanContext;
  }

  /** The sample as span links, and a fresh start for the next one. */
  drain(): Link[] {
    const links = this.contexts.map((spanContext) => ({ context: spanContext }));
    this.contexts.length = 0;
    this.seen = 0;
    return links;
  }
}
