/**
 * The exactness test's dataset: seeded shop sessions for several tenants and currencies, with
 * fixable dirt (comma decimals, lower-case currencies, country names, epoch seconds), unusable
 * events (the cleaner's DLQ), client retries (the same event id sent twice) and events out of
 * order within the allowed lateness. Each raw event keeps its true, clean meaning beside it, so
 * the reference is computed from what the shop meant, not from what Pulse made of it.
 */

export const TENANT_BASE_CURRENCY = { 'shop-a': 'GBP', 'shop-b': 'EUR', 'shop-c': 'USD' } as const;
export type Tenant = keyof typeof TENANT_BASE_CURRENCY;
const TENANTS = Object.keys(TENANT_BASE_CURRENCY) as Tenant[];
const CURRENCIES = ['EUR', 'GBP', 'USD'] as const;
const COUNTRIES: Array<[string, string]> = [
  ['GB', 'United Kingdom'],
  ['DE', 'Germany'],
  ['FR', 'France'],
  ['US', 'United States of America'],
  ['NL', 'Netherlands'],
  ['ES', 'Spain'],
  ['IT', 'Italy'],
  ['SE', 'Sweden'],
];
const CHANNELS = ['web', 'ios', 'android'];
const CATEGORIES = ['kitchen', 'garden', 'toys', 'books', 'audio', 'sports'];
const PRODUCTS = Array.from({ length: 24 }, (_, i) => ({
  id: `SKU-${100 + i}`,
  category: CATEGORIES[i % CATEGORIES.length],
  priceMinor: 199 + ((i * 7919) % 9000),
}));

export type EventType = 'page_view' | 'product_view' | 'add_to_cart' | 'checkout' | 'purchase' | 'refund';

/** What the shop meant: the values a correct pipeline must count. */
export interface TrueEvent {
  tenant: Tenant;
  eventId: string;
  type: EventType;
  occurredAt: number;
  user: string;
  session: string;
  productId?: string;
  category?: string;
  quantity?: number;
  /** unit price in minor units of `currency` */
  priceMinor?: number;
  currency?: string;
  orderId?: string;
  country: string;
  channel: string;
}

export interface DatasetEvent {
  truth: TrueEvent;
  /** the JSON the shop sends */
  raw: Record<string, unknown>;
  /** the cleaner must send it to the DLQ */
  unusable: boolean;
}

/** Mulberry32: a small seeded PRNG (tests need the same dataset on every run). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface DatasetOptions {
  seed: number;
  /** at least this many events (before duplicates) */
  events: number;
  /** first event time; events spread over `spanMs` */
  start: number;
  spanMs: number;
}

export interface Dataset {
  events: DatasetEvent[];
  /** indexes into `events` sent a second time (client retries) */
  retries: number[];
}

function formatPrice(minor: number, commaDecimal: boolean): string {
  const text = `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
  return commaDecimal ? text.replace('.', ',') : text;
}

export function generateDataset(options: DatasetOptions): Dataset {
  const random = prng(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const truths: TrueEvent[] = [];
  let sessionNo = 0;
  while (truths.length < options.events) {
    sessionNo += 1;
    const tenant = pick(TENANTS);
    const user = `u-${Math.floor(random() * 1500)}`;
    const session = `${tenant}-s${sessionNo}`;
    const country = pick(COUNTRIES)[0];
    const channel = pick(CHANNELS);
    const currency = pick(CURRENCIES);
    // Whole seconds: epoch-seconds timestamps (fixable dirt) then mean the same instant.
    let at = options.start + Math.floor((random() * options.spanMs) / 1000) * 1000;
    const base = { tenant, user, session, country, channel };
    const add = (fields: Partial<TrueEvent> & { type: EventType }) => {
      truths.push({ ...base, eventId: `${session}-e${truths.length}`, occurredAt: at, ...fields });
      at += 1000 * (5 + Math.floor(random() * 40));
    };
    add({ type: 'page_view' });
    const cart: typeof PRODUCTS = [];
    const views = 1 + Math.floor(random() * 5);
    for (let v = 0; v < views; v += 1) {
      const product = PRODUCTS[Math.floor(random() ** 2 * PRODUCTS.length)]; // skewed popularity
      add({ type: 'product_view', productId: product.id, category: product.category });
      if (random() < 0.35) {
        cart.push(product);
        add({ type: 'add_to_cart', productId: product.id, category: product.category, quantity: 1 });
      }
    }
    if (cart.length === 0 || random() < 0.3) continue;
    add({ type: 'checkout', orderId: `${session}-o` });
    if (random() < 0.2) continue;
    for (const product of cart) {
      add({
        type: 'purchase',
        productId: product.id,
        category: product.category,
        quantity: 1 + Math.floor(random() * 3),
        priceMinor: product.priceMinor,
        currency,
        orderId: `${session}-o`,
      });
    }
    if (random() < 0.08) {
      const product = cart[0];
      add({
        type: 'refund',
        productId: product.id,
        category: product.category,
        quantity: 1,
        priceMinor: product.priceMinor,
        currency,
      });
    }
  }
  // Out of order within the allowed lateness: up to 90 s earlier than its place in the stream.
  const ordered = truths
    .map((truth) => ({ truth, sendAt: truth.occurredAt + (random() < 0.05 ? Math.floor(random() * 90) * 1000 : 0) }))
    .sort((a, b) => a.sendAt - b.sendAt)
    .map(({ truth }) => truth);

  const events = ordered.map((truth): DatasetEvent => {
    const raw: Record<string, unknown> = {
      event_id: truth.eventId,
      type: truth.type,
      occurred_at: new Date(truth.occurredAt).toISOString(),
      user_id: truth.user,
      session_id: truth.session,
      country: truth.country,
      channel: truth.channel,
    };
    if (truth.productId) Object.assign(raw, { product_id: truth.productId, category: truth.category });
    if (truth.quantity !== undefined) raw.quantity = truth.quantity;
    if (truth.orderId) raw.order_id = truth.orderId;
    if (truth.priceMinor !== undefined) {
      raw.price = formatPrice(truth.priceMinor, false);
      raw.currency = truth.currency;
    }
    const dirt = random();
    let unusable = false;
    if (dirt < 0.01 && raw.quantity !== undefined) {
      raw.quantity = -1; // DLQ invalid_quantity
      unusable = true;
    } else if (dirt < 0.015 && raw.price !== undefined) {
      raw.currency = 'THB'; // no rate configured: DLQ missing_rate
      unusable = true;
    } else if (dirt < 0.03 && raw.price !== undefined) {
      raw.price = formatPrice(truth.priceMinor ?? 0, true);
      raw.currency = String(raw.currency).toLowerCase();
    } else if (dirt < 0.045) {
      raw.country = COUNTRIES.find(([code]) => code === truth.country)?.[1];
    } else if (dirt < 0.06) {
      raw.occurred_at = truth.occurredAt / 1000;
    }
    return { truth, raw, unusable };
  });
  const retries: number[] = [];
  for (let i = 0; i < events.length; i += 1) if (random() < 0.01) retries.push(i);
  return { events, retries };
}
