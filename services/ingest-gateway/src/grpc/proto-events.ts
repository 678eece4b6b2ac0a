import { type proto } from '@pulse/contracts';

import { type Candidate } from '../events/request-body.js';

type ProtoEvent = proto.pulse.ingest.v1.Event;

const FIELDS: ReadonlyArray<[keyof ProtoEvent, string]> = [
  ['eventId', 'event_id'],
  ['type', 'type'],
  ['occurredAt', 'occurred_at'],
  ['userId', 'user_id'],
  ['sessionId', 'session_id'],
  ['productId', 'product_id'],
  ['category', 'category'],
  ['quantity', 'quantity'],
  ['price', 'price'],
  ['currency', 'currency'],
  ['orderId', 'order_id'],
  ['country', 'country'],
  ['channel', 'channel'],
  ['email', 'email'],
  ['ip', 'ip'],
  ['userAgent', 'user_agent'],
];

/**
 * A protobuf Event as the JSON v1 event, so both transports share one validation and one wire
 * format on `pulse.raw`. proto3 strings cannot be absent, so an empty string means "not sent".
 */
export function candidateFromProto(event: ProtoEvent): Candidate {
  const raw: Record<string, unknown> = {};
  for (const [from, to] of FIELDS) {
    const value = event[from];
    if (typeof value === 'string' && value.length > 0) raw[to] = value;
  }
  const attributes = event.attributes ?? {};
  if (Object.keys(attributes).length > 0) raw.attributes = { ...attributes };
  return { ok: true, value: raw };
}
