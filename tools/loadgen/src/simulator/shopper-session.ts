import { type EventType } from '@pulse/contracts';

import { isoTime } from '../time/iso-time.js';
import { type Catalogue, type Product } from './catalogue.js';
import { WeightedChoice, type SeededRandom } from './seeded-random.js';
import { CHANNELS, formatMinor, localPriceMinor, MARKETS, USER_AGENTS, type Market } from './shop-markets.js';
import { type ExpectedClean, type WireEvent } from './simulated-event.js';

/**
 * The conversion funnel, each rate conditional on the step before it:
 * landing page view → product view(s) → add to cart → (remove a line) → checkout → purchase → refund.
 */
export interface FunnelRates {
  /** sessions that view at least one product after landing */
  productView: number;
  /** after each product view, the chance to view one more (at most 7 more) */
  moreViews: number;
  /** product-viewing sessions that add something to the cart */
  addToCart: number;
  /** each further viewed product is also added with this chance */
  extraLine: number;
  /** carts of two or more lines that drop one line again */
  removeFromCart: number;
  /** sessions with a cart that go to checkout */
  checkout: number;
  /** checkouts that end in a purchase */
  purchase: number;
  /** orders of which one line is refunded later */
  refund: number;
}

export const DEFAULT_FUNNEL: Readonly<FunnelRates> = Object.freeze({
  productView: 0.6,
  moreViews: 0.5,
  addToCart: 0.3,
  extraLine: 0.3,
  removeFromCart: 0.2,
  checkout: 0.55,
  purchase: 0.7,
  refund: 0.04,
});

export const MAX_EXTRA_VIEWS = 7;
const MAX_EXTRA_UNITS = 4;
/** sessions with a user id (logged-in shoppers); the rest are anonymous */
const IDENTIFIED_SHARE = 0.7;
/** sessions whose events spell the country out ("United Kingdom") instead of the ISO code */
const COUNTRY_NAME_SHARE = 0.2;
const MEAN_THINK_TIME_MS = 18_000;
const MEAN_REFUND_DELAY_MS = 20 * 60_000;
const LANDING_PAGES = ['/', '/', '/', '/sale', '/new-in', '/search'];
const REFERRERS = ['direct', 'search', 'social', 'email', 'ads'];
const NETWORKS = ['192.0.2', '198.51.100', '203.0.113'];

const marketChoice = new WeightedChoice(MARKETS.map((market) => [market, market.share] as const));
const channelChoice = new WeightedChoice(CHANNELS);

export interface SessionContext {
  runId: string;
  catalogue: Catalogue;
  funnel: FunnelRates;
  /** user ids are drawn from this many shoppers */
  userPool: number;
}

/** Who the session is: shared by its events. */
export interface SessionInfo {
  index: number;
  runId: string;
  sessionId: string;
  userId?: string;
  market: Market;
  channel: string;
  /** as sent: the ISO code or a spelled-out name */
  country: string;
  ip: string;
}

/**
 * One event of a planned session, compact: the generator keeps every pending step of every open
 * session, so the wire event is only built when it is sent (materialize).
 */
export interface SessionStep {
  type: EventType;
  /** occurred_at, epoch ms */
  at: number;
  /** n-th event of the session: the event id suffix */
  sequence: number;
  /** line events: the product, its category and unit price */
  product?: Product;
  /** cart, purchase and refund lines */
  quantity?: number;
  orderId?: string;
  attributes?: Record<string, string>;
}

export interface SessionPlan {
  info: SessionInfo;
  steps: SessionStep[];
}

export interface PlannedEvent {
  event: WireEvent;
  expected: ExpectedClean;
  market: Market;
}

interface Line {
  product: Product;
  quantity: number;
}

/**
 * One shopper's session as steps in time order (a refund may come minutes after the rest).
 * Event ids are `<runId>-<session>-<n>`: unique per run, the same on a retry.
 */
export function planSession(
  index: number,
  startAt: number,
  random: SeededRandom,
  context: SessionContext,
): SessionPlan {
  const { funnel, runId, catalogue } = context;
  const market = marketChoice.sample(random);
  const channel = channelChoice.sample(random);
  const userId = random.chance(IDENTIFIED_SHARE) ? `u-${random.int(context.userPool)}` : undefined;
  const info: SessionInfo = {
    index,
    runId,
    sessionId: `s-${runId}-${index}`,
    userId,
    market,
    channel,
    country: random.chance(COUNTRY_NAME_SHARE) ? random.pick(market.names) : market.country,
    ip: `${random.pick(NETWORKS)}.${1 + random.int(254)}`,
  };
  const steps: SessionStep[] = [];
  let at = Math.round(startAt);
  // One object per step, always of the same shape: a busy shop keeps hundreds of thousands pending.
  const step = (
    type: EventType,
    product?: Product,
    quantity?: number,
    orderId?: string,
    attributes?: Record<string, string>,
  ) => {
    steps.push({ type, at, sequence: steps.length, product, quantity, orderId, attributes });
  };
  const think = () => {
    at += Math.round(1_500 + random.exponential(MEAN_THINK_TIME_MS));
  };

  step('page_view', undefined, undefined, undefined, {
    path: random.pick(LANDING_PAGES),
    referrer: random.pick(REFERRERS),
  });
  if (!random.chance(funnel.productView)) return { info, steps };

  const viewed: Product[] = [];
  const views = 1 + random.repeats(funnel.moreViews, MAX_EXTRA_VIEWS);
  for (let i = 0; i < views; i += 1) {
    think();
    const product = catalogue.pick(random);
    viewed.push(product);
    step('product_view', product);
  }
  if (!random.chance(funnel.addToCart)) return { info, steps };

  const lines: Line[] = [];
  const first = random.int(viewed.length);
  viewed.forEach((product, i) => {
    if (i === first || random.chance(funnel.extraLine)) {
      lines.push({ product, quantity: 1 + random.repeats(0.25, MAX_EXTRA_UNITS) });
    }
  });
  for (const item of lines) {
    think();
    step('add_to_cart', item.product, item.quantity);
  }
  if (lines.length >= 2 && random.chance(funnel.removeFromCart)) {
    think();
    const [removed] = lines.splice(random.int(lines.length), 1);
    step('remove_from_cart', removed.product, removed.quantity);
  }
  if (!random.chance(funnel.checkout)) return { info, steps };

  think();
  const orderId = `o-${runId}-${index}`;
  step('checkout', undefined, undefined, orderId);
  if (!random.chance(funnel.purchase)) return { info, steps };

  think();
  // The lines of an order are recorded at the same instant, sharing the order id.
  for (const item of lines) step('purchase', item.product, item.quantity, orderId);
  if (random.chance(funnel.refund)) {
    const item = random.pick(lines);
    at += Math.round(60_000 + random.exponential(MEAN_REFUND_DELAY_MS));
    step('refund', item.product, 1 + random.int(item.quantity), orderId);
  }
  return { info, steps };
}

/**
 * The wire event of a step and its clean reading. Fields are set in one fixed order (no
 * spreads): this is the generator's hot path at high rates.
 */
export function materialize(info: SessionInfo, step: SessionStep): PlannedEvent {
  const { type, at, product } = step;
  const { market, userId, sessionId, channel } = info;
  const event: WireEvent = { event_id: `${info.runId}-${info.index}-${step.sequence}`, type, occurred_at: isoTime(at) };
  const expected: ExpectedClean = { type, occurredAt: at, sessionId };
  if (userId !== undefined) event.user_id = expected.userId = userId;
  event.session_id = sessionId;
  if (product !== undefined) {
    const priceMinor = localPriceMinor(product.basePriceMinor, market);
    event.product_id = expected.productId = product.id;
    event.category = expected.category = product.category;
    if (step.quantity !== undefined) {
      event.quantity = expected.quantity = step.quantity;
      expected.amountMinor = priceMinor * step.quantity;
    }
    event.price = formatMinor(priceMinor, market.exponent);
    expected.priceMinor = priceMinor;
    event.currency = expected.currency = market.currency;
  }
  if (step.orderId !== undefined) event.order_id = expected.orderId = step.orderId;
  event.country = info.country;
  expected.country = market.country;
  event.channel = expected.channel = channel;
  if (type === 'purchase' && userId !== undefined) event.email = `${userId}@example.com`;
  event.ip = info.ip;
  event.user_agent = USER_AGENTS[channel];
  if (step.attributes !== undefined) event.attributes = step.attributes;
  return { event, expected, market };
}

/** A whole session's events at once (tests, small tools). */
export function sessionEvents(plan: SessionPlan): PlannedEvent[] {
  return plan.steps.map((step) => materialize(plan.info, step));
}

/**
 * The mean number of events a session produces under these rates — exact, from the funnel's
 * structure: it sets the session arrival rate that yields the configured events per second.
 */
export function expectedEventsPerSession(funnel: FunnelRates): number {
  // Extra views G: P(G = k) = q^k (1 - q) for k < max, P(G = max) = q^max.
  const q = funnel.moreViews;
  const pG = Array.from({ length: MAX_EXTRA_VIEWS + 1 }, (_, k) =>
    k < MAX_EXTRA_VIEWS ? q ** k * (1 - q) : q ** MAX_EXTRA_VIEWS,
  );
  const extraViews = pG.reduce((sum, p, k) => sum + p * k, 0);
  // Lines L = 1 + Binomial(G, extraLine); a removal needs L ≥ 2.
  const lines = 1 + extraViews * funnel.extraLine;
  const singleLine = pG.reduce((sum, p, k) => sum + p * (1 - funnel.extraLine) ** k, 0);
  const removal = (1 - singleLine) * funnel.removeFromCart;
  const purchased = funnel.checkout * (1 + funnel.purchase * (lines - removal + funnel.refund));
  return 1 + funnel.productView * (1 + extraViews + funnel.addToCart * (lines + removal + purchased));
}
