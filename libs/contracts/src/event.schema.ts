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

/**
 * Size limits of the raw contract. A gateway may tighten them (PULSE_INGEST_MAX_*), never widen
 * them: the cleaner validates with these defaults, so a looser gateway would only move the
 * rejection from a 4xx answer into the DLQ.
 */
export interface RawEventLimits {
  /** user, session, product and order ids */
  maxIdLength: number;
  /** free text: category 1/4 of it, user agent and attribute values all of it */
  maxTextLength: number;
  /** attribute keys per event (values are scalars: depth 1) */
  maxAttributes: number;
}

export const DEFAULT_RAW_EVENT_LIMITS: Readonly<RawEventLimits> = Object.freeze({
  maxIdLength: 256,
  maxTextLength: 1024,
  maxAttributes: 64,
});

const Amount = Type.Union([Type.Number(), Type.String({ minLength: 1, maxLength: 32 })]);

export function rawEventV1Schema(limits: RawEventLimits = DEFAULT_RAW_EVENT_LIMITS) {
  const Id = () => Type.Union([Type.String({ minLength: 1, maxLength: limits.maxIdLength }), Type.Integer()]);
  const Text = (maxLength: number) => Type.String({ maxLength });
  return Type.Object(
    {
      event_id: Type.String({ minLength: 1, maxLength: 128 }),
      type: Type.String({ minLength: 1, maxLength: 32 }),
      occurred_at: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Number()]),
      user_id: Type.Optional(Id()),
      session_id: Type.Optional(Id()),
      product_id: Type.Optional(Id()),
      category: Type.Optional(Text(Math.max(1, Math.floor(limits.maxTextLength / 4)))),
      quantity: Type.Optional(Amount),
      price: Type.Optional(Amount),
      currency: Type.Optional(Text(8)),
      order_id: Type.Optional(Id()),
      country: Type.Optional(Text(64)),
      channel: Type.Optional(Text(64)),
      email: Type.Optional(Text(320)),
      ip: Type.Optional(Text(64)),
      user_agent: Type.Optional(Text(limits.maxTextLength)),
      attributes: Type.Optional(
        Type.Record(
          Type.String({ maxLength: 64 }),
          Type.Union([Type.String({ maxLength: limits.maxTextLength }), Type.Number()]),
          { maxProperties: limits.maxAttributes },
        ),
      ),
    },
    // Unknown fields are tolerated (older/newer SDKs) but never forwarded: the cleaner keeps only
    // the fields above, which is also how free-text PII such as `name` or `phone` is dropped.
    { additionalProperties: true, maxProperties: 64 },
  );
}

export const RawEventV1Schema = rawEventV1Schema();
export type RawEventV1 = Static<typeof RawEventV1Schema>;

/**
 * The event as the cleaner publishes it on `pulse.clean.<partition>`: normalized, no raw PII. The
 * rules that produce each field are docs/cleaning.md. Money is integer minor units: of `currency`
 * (what the shop sent) and of `base_currency` (the tenant's, converted with configured rates).
 */
export const CleanEventV1Schema = Type.Object(
  {
    v: Type.Literal(1),
    tenant: Type.String(),
    /** as sent: the idempotency key the gateway deduplicated on */
    event_id: Type.String(),
    type: Type.Union(EVENT_TYPES.map((t) => Type.Literal(t))),
    /** epoch milliseconds, UTC */
    occurred_at: Type.Integer(),
    /** keyed HMAC-SHA256 pseudonym of the shop's user id, `<key id>:<hex>` */
    user_key: Type.Optional(Type.String()),
    session_id: Type.Optional(Type.String()),
    product_id: Type.Optional(Type.String()),
    /** trimmed, lower-cased */
    category: Type.Optional(Type.String()),
    /** units of the line (cart, purchase, refund events), ≥ 1 */
    quantity: Type.Optional(Type.Integer({ minimum: 1 })),
    /** ISO 4217 code of the amounts as sent */
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    /** unit price in minor units of `currency` */
    price_minor: Type.Optional(Type.Integer({ minimum: 0 })),
    /** line amount, price × quantity, in minor units of `currency` (a refund's refunded amount) */
    amount_minor: Type.Optional(Type.Integer({ minimum: 0 })),
    /** ISO 4217 code of the tenant's base currency */
    base_currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    /** unit price converted to minor units of `base_currency` */
    price_base_minor: Type.Optional(Type.Integer({ minimum: 0 })),
    /** line amount converted to minor units of `base_currency` (converted once, not price × quantity) */
    amount_base_minor: Type.Optional(Type.Integer({ minimum: 0 })),
    order_id: Type.Optional(Type.String()),
    /** ISO 3166-1 alpha-2 */
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    /** lower-case token: web, ios, ... */
    channel: Type.Optional(Type.String()),
    /** the client's network, IPv4 /24 or IPv6 /48 (`203.0.113.0/24`); never the address */
    ip_prefix: Type.Optional(Type.String()),
    /** fields the cleaner filled in rather than read (e.g. `quantity`, `currency`) */
    imputed: Type.Optional(Type.Array(Type.String())),
    partition: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type CleanEventV1 = Static<typeof CleanEventV1Schema>;
