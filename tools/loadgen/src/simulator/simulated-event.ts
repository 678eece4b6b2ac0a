import { type EventType } from '@pulse/contracts';

/**
 * An event as it goes on the wire: the raw v1 contract's fields (libs/contracts event.schema.ts),
 * typed loosely because dirty events break the contract on purpose.
 */
export interface WireEvent {
  event_id: string;
  type?: string;
  occurred_at?: string | number;
  user_id?: string;
  session_id?: string;
  product_id?: string;
  category?: string;
  quantity?: string | number;
  price?: string | number;
  currency?: string;
  order_id?: string;
  country?: string;
  channel?: string;
  email?: string;
  ip?: string;
  user_agent?: string;
  attributes?: Record<string, string | number>;
}

/**
 * What the cleaner should make of an event (docs/cleaning.md): the reference an exactness check
 * sums. Money in minor units of `currency`, time in epoch milliseconds UTC.
 */
export interface ExpectedClean {
  type: EventType;
  occurredAt: number;
  sessionId: string;
  userId?: string;
  productId?: string;
  category?: string;
  quantity?: number;
  currency?: string;
  priceMinor?: number;
  /** price × quantity on cart, purchase and refund lines */
  amountMinor?: number;
  orderId?: string;
  /** ISO 3166-1 alpha-2, whatever spelling was sent */
  country?: string;
  channel?: string;
}

export type EventQuality = 'clean' | 'fixable' | 'unusable';

/** Odd but usable spellings the cleaner normalizes. */
export const FIXABLE_DIRT = [
  'comma_decimal_price',
  'epoch_seconds',
  'epoch_millis_number',
  'offset_timestamp',
  'type_spelling',
  'currency_case',
  'quantity_text',
  'missing_quantity',
  'category_case',
] as const;

/** Faults no rule can repair: the gateway rejects the event or the cleaner dead-letters it. */
export const UNUSABLE_DIRT = [
  'missing_type',
  'unknown_type',
  'invalid_timestamp',
  'negative_quantity',
  'unknown_currency',
  'missing_price',
  'invalid_price',
] as const;

export type FixableDirt = (typeof FIXABLE_DIRT)[number];
export type UnusableDirt = (typeof UNUSABLE_DIRT)[number];
export type DirtKind = FixableDirt | UnusableDirt;

/** Not sent: says what an event is, so tests and exactness checks can build their references. */
export interface EventMeta {
  /** what the event really is, whatever its `type` field says after dirt */
  type: EventType;
  quality: EventQuality;
  /** how the event is dirty (absent on clean events) */
  dirt?: DirtKind;
  /** unusable events: who refuses it — the gateway (`rejected` in the answer) or the cleaner (DLQ) */
  rejectedBy?: 'gateway' | 'cleaner';
  /** unusable events the cleaner refuses: the DLQ reason it gives (docs/cleaning.md) */
  dlqReason?: string;
  /** set on a client-retry copy: the id of the event it repeats (the copy has the same event_id) */
  duplicateOf?: string;
  /** set on late events: how long after occurred_at the event is sent */
  lateByMs?: number;
  /** stream time at which the event is sent, epoch ms */
  emitAt: number;
  /** which session of the run produced it (0-based, in arrival order) */
  sessionIndex: number;
  /**
   * The clean reading of the event. Absent on unusable events and on duplicates (a duplicate is
   * deduplicated, so summing `expected` over a stream counts every event once).
   */
  expected?: ExpectedClean;
}

export interface SimulatedEvent {
  event: WireEvent;
  meta: EventMeta;
}
