import { type SeededRandom } from './seeded-random.js';
import { type Market } from './shop-markets.js';
import {
  type DirtKind,
  type ExpectedClean,
  type FixableDirt,
  type UnusableDirt,
  type WireEvent,
} from './simulated-event.js';

/**
 * Dirt a real shop sends, per docs/cleaning.md: fixable spellings the cleaner normalizes (with the
 * clean reading unchanged, or changed as the rule says) and faults that end in the gateway's
 * `rejected` list or the cleaner's DLQ. Each kind changes exactly one thing, so the outcome is known.
 */

const LINE_TYPES = new Set(['add_to_cart', 'remove_from_cart', 'purchase', 'refund']);
const PRICED_LINE_TYPES = new Set(['purchase', 'refund']);

const TYPE_SPELLINGS: ReadonlyArray<(type: string) => string> = [
  (type) => type.toUpperCase(),
  (type) => ` ${type} `,
  (type) =>
    type
      .split('_')
      .map((word) => word[0].toUpperCase() + word.slice(1))
      .join('-'),
  (type) => type.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()),
  (type) => type.replace(/_/g, ' '),
];

/** The dirt kinds that can be applied to this event (an odd price needs a price, and so on). */
export function applicableDirt(event: WireEvent, quality: 'fixable' | 'unusable', market: Market): DirtKind[] {
  const type = event.type ?? '';
  const isLine = LINE_TYPES.has(type);
  if (quality === 'fixable') {
    const kinds: FixableDirt[] = ['epoch_seconds', 'epoch_millis_number', 'offset_timestamp', 'type_spelling'];
    if (event.price !== undefined && market.exponent === 2) kinds.push('comma_decimal_price');
    if (event.currency !== undefined) kinds.push('currency_case');
    if (isLine) kinds.push('quantity_text');
    if (isLine && event.quantity === 1) kinds.push('missing_quantity');
    if (event.category !== undefined) kinds.push('category_case');
    return kinds;
  }
  const kinds: UnusableDirt[] = ['missing_type', 'unknown_type', 'invalid_timestamp'];
  if (isLine) kinds.push('negative_quantity');
  if (PRICED_LINE_TYPES.has(type)) kinds.push('unknown_currency', 'missing_price', 'invalid_price');
  return kinds;
}

export interface DirtyEvent {
  event: WireEvent;
  /** the clean reading after the cleaner's rules; undefined when the event is unusable */
  expected?: ExpectedClean;
  rejectedBy?: 'gateway' | 'cleaner';
  dlqReason?: string;
}

/** A copy of the event with the dirt applied; the input is not changed. */
export function applyDirt(
  kind: DirtKind,
  original: WireEvent,
  expected: ExpectedClean,
  random: SeededRandom,
): DirtyEvent {
  const event: WireEvent = { ...original };
  const fixed = (changes: Partial<ExpectedClean> = {}): DirtyEvent => ({
    event,
    expected: { ...expected, ...changes },
  });
  const dlq = (reason: string): DirtyEvent => ({ event, rejectedBy: 'cleaner', dlqReason: reason });
  const occurredAt = expected.occurredAt;
  switch (kind) {
    case 'epoch_seconds': {
      const seconds = Math.floor(occurredAt / 1000);
      event.occurred_at = seconds;
      return fixed({ occurredAt: seconds * 1000 });
    }
    case 'epoch_millis_number':
      event.occurred_at = occurredAt;
      return fixed();
    case 'offset_timestamp': {
      const offsetHours = 1 + random.int(9);
      const local = new Date(occurredAt + offsetHours * 3_600_000).toISOString().slice(0, -1);
      event.occurred_at = `${local}+${String(offsetHours).padStart(2, '0')}:00`;
      return fixed();
    }
    case 'type_spelling':
      event.type = random.pick(TYPE_SPELLINGS)(expected.type);
      return fixed();
    case 'comma_decimal_price':
      event.price = String(event.price).replace('.', ',');
      return fixed();
    case 'currency_case':
      event.currency = ` ${String(event.currency).toLowerCase()} `;
      return fixed();
    case 'quantity_text':
      event.quantity = `${String(event.quantity)}.0`;
      return fixed();
    case 'missing_quantity':
      delete event.quantity;
      return fixed();
    case 'category_case':
      event.category = `  ${String(event.category).replace(/(^|\s)\S/g, (c) => c.toUpperCase())}\t`;
      return fixed();
    case 'missing_type':
      delete event.type;
      return { event, rejectedBy: 'gateway', dlqReason: undefined };
    case 'unknown_type':
      event.type = random.pick(['teleport', 'wishlist_add', 'page-scroll']);
      return dlq('unknown_type');
    case 'invalid_timestamp': {
      const date = new Date(occurredAt);
      const dd = String(date.getUTCDate()).padStart(2, '0');
      const mm = String(date.getUTCMonth() + 1).padStart(2, '0');
      event.occurred_at = `${dd}/${mm}/${date.getUTCFullYear()}`;
      return dlq('invalid_timestamp');
    }
    case 'negative_quantity':
      event.quantity = -Number(event.quantity ?? 1);
      return dlq('invalid_quantity');
    case 'unknown_currency':
      event.currency = random.pick(['EURO', '€', 'XAU', 'POUNDS']);
      return dlq('unknown_currency');
    case 'missing_price':
      delete event.price;
      return dlq('missing_price');
    case 'invalid_price':
      event.price = random.pick([`£${String(event.price)}`, 'free', 'NaN', `-${String(event.price)}`]);
      return dlq('invalid_price');
  }
}
