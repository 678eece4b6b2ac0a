import { partitionOf, validateRawEvent, type CleanEventV1, type EventType, type RawEventV1 } from '@pulse/contracts';

import { normalizeCountry } from './countries.js';
import { lookupCurrency } from './currencies.js';
import { type DlqReason } from './dlq-reasons.js';
import { normalizeEventType } from './event-type.js';
import { convertMinor, type RateTable } from './exchange-rates.js';
import { normalizeId } from './identifiers.js';
import { lineAmountMinor, parseAmountMinor } from './money.js';
import { pseudonymize, truncateIp, type PseudonymKeyring } from './privacy.js';
import { parseQuantity } from './quantities.js';
import { looksLikeEmail, normalizeCategory, normalizeChannel } from './text.js';
import { normalizeTimestamp } from './timestamps.js';

export type CleanOutcome = { ok: true; event: CleanEventV1 } | { ok: false; reason: DlqReason; detail: string };

/** Everything cleaning depends on besides the event; the shell builds it (and reads the clock) per message. */
export interface CleaningContext {
  tenant: string;
  partitions: number;
  /** The cleaner's clock, epoch ms, read by the caller. */
  now: number;
  maxFutureSkewMs: number;
  keyring: PseudonymKeyring;
  /** ISO 4217 code the tenant's amounts are converted to. */
  baseCurrency: string;
  rates: RateTable;
}

/** Events about one product line: they may carry product, category and a unit price. */
const LINE_TYPES = new Set<EventType>(['product_view', 'add_to_cart', 'remove_from_cart', 'purchase', 'refund']);
/** Line events that move units; a missing quantity is one unit. */
const QUANTITY_TYPES = new Set<EventType>(['add_to_cart', 'remove_from_cart', 'purchase', 'refund']);
/** Without a price these carry no revenue or refund amount, which is what they are for. */
const PRICE_REQUIRED = new Set<EventType>(['purchase', 'refund']);
const ORDER_TYPES = new Set<EventType>(['checkout', 'purchase', 'refund']);

const dlq = (reason: DlqReason, detail: string): CleanOutcome => ({ ok: false, reason, detail });

/** A short, quoted echo of a non-personal field for a DLQ detail (an e-mail put there is not echoed). */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  if (looksLikeEmail(text)) return '[e-mail shaped value]';
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function conversionFailure(failure: { problem: 'missing_rate' | 'out_of_range'; detail: string }): CleanOutcome {
  return dlq(failure.problem === 'missing_rate' ? 'missing_rate' : 'invalid_price', failure.detail);
}

type Money = Pick<
  CleanEventV1,
  'currency' | 'price_minor' | 'amount_minor' | 'base_currency' | 'price_base_minor' | 'amount_base_minor'
>;

function cleanMoney(
  raw: RawEventV1,
  quantity: number | undefined,
  context: CleaningContext,
  imputed: string[],
): { ok: true; money: Money } | { ok: false; outcome: CleanOutcome } {
  let currency = context.baseCurrency;
  if (raw.currency === undefined) {
    imputed.push('currency');
  } else {
    const known = lookupCurrency(raw.currency);
    if (!known) return { ok: false, outcome: dlq('unknown_currency', `currency ${shown(raw.currency)}`) };
    currency = known.code;
  }
  const exponent = lookupCurrency(currency)?.exponent;
  if (exponent === undefined) return { ok: false, outcome: dlq('unknown_currency', `currency ${shown(currency)}`) };
  const price = parseAmountMinor(raw.price, exponent);
  if (!price.ok) return { ok: false, outcome: dlq('invalid_price', `${price.detail}: ${shown(raw.price)}`) };
  const money: Money = { currency, price_minor: price.minor, base_currency: context.baseCurrency };
  const convertedPrice = convertMinor(price.minor, currency, context.baseCurrency, context.rates);
  if (!convertedPrice.ok) return { ok: false, outcome: conversionFailure(convertedPrice) };
  money.price_base_minor = convertedPrice.minor;
  if (quantity !== undefined) {
    const amount = lineAmountMinor(price.minor, quantity);
    if (amount === undefined) return { ok: false, outcome: dlq('invalid_price', 'price × quantity is too large') };
    const convertedAmount = convertMinor(amount, currency, context.baseCurrency, context.rates);
    if (!convertedAmount.ok) return { ok: false, outcome: conversionFailure(convertedAmount) };
    money.amount_minor = amount;
    money.amount_base_minor = convertedAmount.minor;
  }
  return { ok: true, money };
}

/**
 * A structurally valid raw event → a clean event or a DLQ reason. Pure: no clock, no I/O. Only the
 * fields set below leave; raw PII (e-mail, phone, name, address, IP, user agent, free-text
 * attributes, unknown fields) is never copied, and the user id leaves only as a pseudonym. The rule
 * table, with the reasons for each choice, is docs/cleaning.md.
 */
export function cleanEvent(raw: RawEventV1, context: CleaningContext): CleanOutcome {
  const type = normalizeEventType(raw.type);
  if (type === undefined) return dlq('unknown_type', `type ${shown(raw.type)}`);

  const time = normalizeTimestamp(raw.occurred_at, context.now, context.maxFutureSkewMs);
  if (!time.ok) return dlq(time.reason, time.detail);

  const imputed: string[] = [];
  let quantity: number | undefined;
  if (QUANTITY_TYPES.has(type)) {
    if (raw.quantity === undefined) {
      quantity = 1;
      imputed.push('quantity');
    } else {
      const parsed = parseQuantity(raw.quantity);
      if (!parsed.ok) return dlq('invalid_quantity', `${parsed.detail}: ${shown(raw.quantity)}`);
      quantity = parsed.quantity;
    }
  }

  let money: Money = {};
  if (LINE_TYPES.has(type)) {
    if (raw.price === undefined) {
      if (PRICE_REQUIRED.has(type)) return dlq('missing_price', `a ${type} needs the price of its line`);
    } else {
      const cleaned = cleanMoney(raw, quantity, context, imputed);
      if (!cleaned.ok) return cleaned.outcome;
      money = cleaned.money;
    }
  }

  const userId = normalizeId(raw.user_id);
  const sessionId = normalizeId(raw.session_id);
  const event: CleanEventV1 = {
    v: 1,
    tenant: context.tenant,
    event_id: raw.event_id,
    type,
    occurred_at: time.epochMs,
    // The raw (normalized) id, not the pseudonym: a key rotation must not move a shopper's events.
    partition: partitionOf(context.tenant, userId ?? sessionId ?? raw.event_id, context.partitions),
  };
  if (userId !== undefined) event.user_key = pseudonymize(context.tenant, userId, context.keyring.active);
  if (sessionId !== undefined) event.session_id = sessionId;
  if (LINE_TYPES.has(type)) {
    const productId = normalizeId(raw.product_id);
    if (productId !== undefined) event.product_id = productId;
    const category = normalizeCategory(raw.category);
    if (category !== undefined) event.category = category;
  }
  if (quantity !== undefined) event.quantity = quantity;
  Object.assign(event, money);
  if (ORDER_TYPES.has(type)) {
    const orderId = normalizeId(raw.order_id);
    if (orderId !== undefined) event.order_id = orderId;
  }
  const country = normalizeCountry(raw.country);
  if (country !== undefined) event.country = country;
  const channel = normalizeChannel(raw.channel);
  if (channel !== undefined) event.channel = channel;
  const ipPrefix = truncateIp(raw.ip);
  if (ipPrefix !== undefined) event.ip_prefix = ipPrefix;
  if (imputed.length > 0) event.imputed = imputed;
  return { ok: true, event };
}

/** Any decoded JSON body → a clean event or a DLQ reason: the structural check, then cleanEvent. */
export function cleanRawEvent(body: unknown, context: CleaningContext): CleanOutcome {
  const validation = validateRawEvent(body);
  if (!validation.ok) return dlq('schema_violation', validation.reason);
  return cleanEvent(validation.event, context);
}
