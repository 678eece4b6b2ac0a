/**
 * Why an event went to `pulse.dlq.<tenant>`: stable, machine-readable codes. Consumers of the DLQ
 * switch on them, so a code is never renamed or reused; docs/cleaning.md lists each with its meaning.
 */
export const DLQ_REASONS = {
  invalid_json: 'the message body is not UTF-8 JSON',
  schema_violation: 'the body is not structurally a v1 event (RawEventV1Schema)',
  unknown_type: 'type is not one of the seven event types after case/separator folding',
  invalid_timestamp: 'occurred_at is neither ISO-8601 nor epoch seconds/milliseconds',
  timestamp_too_old: 'occurred_at is before 2000-01-01',
  timestamp_in_future: "occurred_at is further ahead of the cleaner's clock than the allowed skew",
  invalid_quantity: 'quantity of a cart/purchase/refund line is not a whole number ≥ 1',
  missing_price: 'a purchase or refund has no price',
  invalid_price: 'price is not a non-negative decimal amount, is ambiguous, or is too large',
  unknown_currency: 'currency is not an ISO 4217 currency code',
  missing_rate: "the rate table has no rate for the event's currency or the tenant's base currency",
  max_deliveries_exceeded: 'decoding or cleaning failed on every delivery up to PULSE_CLEANER_MAX_DELIVER',
} as const;

export type DlqReason = keyof typeof DLQ_REASONS;
