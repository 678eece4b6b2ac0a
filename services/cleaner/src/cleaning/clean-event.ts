import { EVENT_TYPES, partitionOf, type CleanEventV1, type EventType, type RawEventV1 } from '@pulse/contracts';

import { createHmac } from 'node:crypto';

/** Why an event went to the DLQ: stable, machine-readable codes (docs/cleaning.md). */
export type DlqReason =
  'invalid_json' | 'schema_violation' | 'unknown_type' | 'invalid_timestamp' | 'invalid_quantity' | 'invalid_price';

export type CleanOutcome = { ok: true; event: CleanEventV1 } | { ok: false; reason: DlqReason; detail: string };

export interface CleaningContext {
  tenant: string;
  partitions: number;
  pseudonymKey: { id: string; secret: string };
}

const TYPES = new Set<string>(EVENT_TYPES);

/** ISO-8601 string, or epoch seconds / milliseconds (number or decimal string) → epoch ms UTC. */
export function normalizeTimestamp(value: string | number): number | undefined {
  const numeric =
    typeof value === 'number' ? value : /^[+-]?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : undefined;
  if (numeric !== undefined) {
    if (!Number.isFinite(numeric) || numeric <= 0) return undefined;
    // Below 10^11 a value can only be seconds (10^11 ms is 1973-03-03; 10^11 s is year 5138).
    return Math.round(numeric < 1e11 ? numeric * 1000 : numeric);
  }
  // Only ISO-8601 dates: Date.parse alone would also take "March 7" or "-5" as a date.
  if (!/^\d{4}-\d{2}-\d{2}/.test((value as string).trim())) return undefined;
  const parsed = Date.parse(value as string);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** "12.50", "12,5", 12.5 → 1250 minor units (two decimals; currency exponents come with issue 3). */
export function normalizePriceMinor(value: string | number): number | undefined {
  const text =
    typeof value === 'number' ? (Number.isFinite(value) ? value.toFixed(6) : '') : value.trim().replace(',', '.');
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const whole = Number(match[1]);
  const fraction = (match[2] ?? '').padEnd(3, '0');
  const cents = Number(fraction.slice(0, 2)) + (Number(fraction[2]) >= 5 ? 1 : 0);
  const minor = whole * 100 + cents;
  return Number.isSafeInteger(minor) ? minor : undefined;
}

function normalizeId(value: string | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  return text.length > 0 ? text : undefined;
}

/** Keyed HMAC-SHA256 pseudonym: stable per (tenant, user) under one key, useless without the key. */
export function pseudonymize(tenant: string, userId: string, key: CleaningContext['pseudonymKey']): string {
  const digest = createHmac('sha256', key.secret).update(`${tenant}\u0000${userId}`).digest('hex');
  return `${key.id}:${digest.slice(0, 32)}`;
}

/**
 * Raw event → clean event or a DLQ reason. Pure: no clock, no I/O. Raw PII (email, ip,
 * user agent, free-text attributes, unknown fields) is not copied; the user id leaves only as a
 * pseudonym. The full rule table is docs/cleaning.md.
 */
export function cleanEvent(raw: RawEventV1, context: CleaningContext): CleanOutcome {
  const type = raw.type.trim().toLowerCase();
  if (!TYPES.has(type)) return { ok: false, reason: 'unknown_type', detail: `type ${JSON.stringify(raw.type)}` };

  const occurredAt = normalizeTimestamp(raw.occurred_at);
  if (occurredAt === undefined)
    return { ok: false, reason: 'invalid_timestamp', detail: 'occurred_at is not a timestamp' };

  let quantity: number | undefined;
  if (raw.quantity !== undefined) {
    const parsed = typeof raw.quantity === 'number' ? raw.quantity : Number(raw.quantity.trim());
    if (!Number.isSafeInteger(parsed) || parsed < 0) {
      return { ok: false, reason: 'invalid_quantity', detail: 'quantity must be a non-negative integer' };
    }
    quantity = parsed;
  }

  let priceMinor: number | undefined;
  if (raw.price !== undefined) {
    priceMinor = normalizePriceMinor(raw.price);
    if (priceMinor === undefined)
      return { ok: false, reason: 'invalid_price', detail: 'price is not a decimal amount' };
  }

  const userId = normalizeId(raw.user_id);
  const sessionId = normalizeId(raw.session_id);
  const partitionKey = userId ?? sessionId ?? raw.event_id;
  const country = raw.country?.trim().toUpperCase();

  const event: CleanEventV1 = {
    v: 1,
    tenant: context.tenant,
    event_id: raw.event_id,
    type: type as EventType,
    occurred_at: occurredAt,
    partition: partitionOf(context.tenant, partitionKey, context.partitions),
  };
  if (userId) event.user_key = pseudonymize(context.tenant, userId, context.pseudonymKey);
  if (sessionId) event.session_id = sessionId;
  const productId = normalizeId(raw.product_id);
  if (productId) event.product_id = productId;
  const category = raw.category?.trim().toLowerCase();
  if (category) event.category = category;
  if (quantity !== undefined) event.quantity = quantity;
  if (priceMinor !== undefined) event.price_minor = priceMinor;
  const currency = raw.currency?.trim().toUpperCase();
  if (currency) event.currency = currency;
  const orderId = normalizeId(raw.order_id);
  if (orderId) event.order_id = orderId;
  if (country && /^[A-Z]{2}$/.test(country)) event.country = country;
  const channel = raw.channel?.trim().toLowerCase();
  if (channel) event.channel = channel;
  return { ok: true, event };
}
