/**
 * A small, deterministic shop: shoppers arrive, browse, and some of them buy — enough realistic
 * traffic for the demo (issue 9 grows it into the full load generator). Pure: the caller passes
 * the clock and the seed.
 */

/** mulberry32: a tiny seeded PRNG, so the same seed gives the same shop. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface Product {
  id: string;
  category: string;
  price: string;
}

const CATEGORIES = ['kitchen', 'garden', 'toys', 'books', 'fashion', 'electronics'];
const COUNTRIES = ['GB', 'DE', 'FR', 'US', 'NL', 'ES'];
const CURRENCY_OF: Record<string, string> = { GB: 'GBP', DE: 'EUR', FR: 'EUR', US: 'USD', NL: 'EUR', ES: 'EUR' };
const CHANNELS = ['web', 'app', 'email'];

export function catalogue(random: () => number, size = 60): Product[] {
  return Array.from({ length: size }, (_, i) => ({
    id: `SKU-${String(i + 1).padStart(4, '0')}`,
    category: CATEGORIES[i % CATEGORIES.length],
    price: (2 + Math.floor(random() * 9_800) / 100).toFixed(2),
  }));
}

/** Zipf-like popularity: product k is picked with weight 1/(k+1). */
function pickProduct(products: Product[], random: () => number): Product {
  const total = products.reduce((sum, _, k) => sum + 1 / (k + 1), 0);
  let target = random() * total;
  for (let k = 0; k < products.length; k += 1) {
    target -= 1 / (k + 1);
    if (target <= 0) return products[k];
  }
  return products[products.length - 1];
}

export interface ShopEvent {
  event_id: string;
  type: string;
  occurred_at: string;
  user_id: string;
  session_id: string;
  product_id?: string;
  category?: string;
  quantity?: number;
  price?: string;
  currency?: string;
  order_id?: string;
  country: string;
  channel: string;
}

/**
 * One shopper session as a list of events (view → product view → cart → checkout → purchase, with
 * drop-offs). `runId` keeps event ids unique across runs with the same seed — otherwise JetStream
 * would rightly drop a second run's events as retries of the first.
 */
export function session(
  index: number,
  now: number,
  random: () => number,
  products: Product[],
  runId = 'r0',
): ShopEvent[] {
  const user = `u-${Math.floor(random() * 5_000)}`;
  const sessionId = `s-${runId}-${index}`;
  const country = COUNTRIES[Math.floor(random() * COUNTRIES.length)];
  const channel = CHANNELS[Math.floor(random() * CHANNELS.length)];
  const base = { user_id: user, session_id: sessionId, country, channel };
  const events: ShopEvent[] = [];
  let at = now;
  const next = (type: string, extra: Partial<ShopEvent> = {}) => {
    events.push({
      event_id: `${sessionId}-${events.length}`,
      type,
      occurred_at: new Date(at).toISOString(),
      ...base,
      ...extra,
    });
    at += 200 + Math.floor(random() * 3_000);
  };
  next('page_view');
  if (random() > 0.7) return events;
  const product = pickProduct(products, random);
  const item = { product_id: product.id, category: product.category };
  next('product_view', item);
  if (random() > 0.35) return events;
  const quantity = 1 + Math.floor(random() * 3);
  next('add_to_cart', { ...item, quantity });
  if (random() > 0.55) return events;
  next('checkout');
  if (random() > 0.7) return events;
  next('purchase', {
    ...item,
    quantity,
    price: product.price,
    currency: CURRENCY_OF[country],
    order_id: `o-${runId}-${index}`,
  });
  return events;
}
