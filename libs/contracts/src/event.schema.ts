import { Type, type Static } from '@sinclair/typebox';

/**
 * The v1 event a shop sends (DESIGN.md, "Event contract"). This schema is structural on purpose:
 * the gateway rejects what cannot be an event (missing id, wrong JSON types, oversized values);
 * everything that can be normalized — casing, timestamp formats, decimal strings — is the
 * cleaner's job, so a shop's odd-but-usable data is cleaned rather than refused.
 */
export const EVENT_TYPES = [
  'page_view',
  'product_view',
  'add_to_cart',
  'remove_from_cart',
  'checkout',
  'purchase',
  'refund',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const Id = (maxLength: number) => Type.Union([Type.String({ minLength: 1, maxLength }), Type.Integer()]);
const Text = (maxLength: number) => Type.String({ maxLength });
const Amount = Type.Union([Type.Number(), Type.String({ minLength: 1, maxLength: 32 })]);

export const RawEventV1Schema = Type.Object(
  {
    event_id: Type.String({ minLength: 1, maxLength: 128 }),
    type: Type.String({ minLength: 1, maxLength: 32 }),
    occurred_at: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Number()]),
    user_id: Type.Optional(Id(256)),
    session_id: Type.Optional(Id(256)),
    product_id: Type.Optional(Id(256)),
    category: Type.Optional(Text(256)),
    quantity: Type.Optional(Amount),
    price: Type.Optional(Amount),
    currency: Type.Optional(Text(8)),
    order_id: Type.Optional(Id(256)),
    country: Type.Optional(Text(64)),
    channel: Type.Optional(Text(64)),
    email: Type.Optional(Text(320)),
    ip: Type.Optional(Text(64)),
    user_agent: Type.Optional(Text(1024)),
    attributes: Type.Optional(
      Type.Record(Type.String({ maxLength: 64 }), Type.Union([Type.String({ maxLength: 1024 }), Type.Number()]), {
        maxProperties: 64,
      }),
    ),
  },
  // Unknown fields are tolerated (older/newer SDKs) but never forwarded: the cleaner keeps only
  // the fields above, which is also how free-text PII such as `name` or `phone` is dropped.
  { additionalProperties: true, maxProperties: 64 },
);
export type RawEventV1 = Static<typeof RawEventV1Schema>;

/** The event as the cleaner publishes it on `pulse.clean.<partition>`: normalized, no raw PII. */
export const CleanEventV1Schema = Type.Object(
  {
    v: Type.Literal(1),
    tenant: Type.String(),
    event_id: Type.String(),
    type: Type.Union(EVENT_TYPES.map((t) => Type.Literal(t))),
    /** epoch milliseconds, UTC */
    occurred_at: Type.Integer(),
    /** keyed HMAC-SHA256 pseudonym of the shop's user id, `<key id>:<hex>` */
    user_key: Type.Optional(Type.String()),
    session_id: Type.Optional(Type.String()),
    product_id: Type.Optional(Type.String()),
    category: Type.Optional(Type.String()),
    quantity: Type.Optional(Type.Integer()),
    /** unit price in minor units of `currency` */
    price_minor: Type.Optional(Type.Integer()),
    currency: Type.Optional(Type.String()),
    order_id: Type.Optional(Type.String()),
    country: Type.Optional(Type.String()),
    channel: Type.Optional(Type.String()),
    partition: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type CleanEventV1 = Static<typeof CleanEventV1Schema>;
