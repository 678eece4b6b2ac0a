import { validateRawEvent } from '@pulse/contracts';

import { Catalogue } from './catalogue.js';
import { SeededRandom } from './seeded-random.js';
import { MARKETS } from './shop-markets.js';
import {
  DEFAULT_FUNNEL,
  expectedEventsPerSession,
  planSession,
  sessionEvents,
  type FunnelRates,
} from './shopper-session.js';

const START = Date.UTC(2026, 10, 24, 10);

function plan(count: number, funnel: FunnelRates = DEFAULT_FUNNEL, seed = 1) {
  const random = new SeededRandom(seed);
  const context = { runId: 't', catalogue: new Catalogue(random.fork('catalogue')), funnel, userPool: 1_000 };
  return Array.from({ length: count }, (_, i) => sessionEvents(planSession(i, START + i * 1_000, random, context)));
}

describe('planSession', () => {
  it('starts every session with a landing page view and keeps events in time order', () => {
    const wrong = plan(2_000).filter((session) => {
      const times = session.map((p) => p.expected.occurredAt);
      return session[0].expected.type !== 'page_view' || times.some((t, i) => i > 0 && t < times[i - 1]);
    });
    expect(wrong).toEqual([]);
  });

  it('buys every remaining cart line under the checkout order id, at one instant', () => {
    let purchases = 0;
    for (const session of plan(5_000)) {
      const lines = new Map<string, number>();
      for (const { expected } of session) {
        if (expected.type === 'add_to_cart')
          lines.set(`${expected.productId}`, (lines.get(`${expected.productId}`) ?? 0) + 1);
        if (expected.type === 'remove_from_cart')
          lines.set(`${expected.productId}`, (lines.get(`${expected.productId}`) ?? 0) - 1);
      }
      const bought = session.filter((p) => p.expected.type === 'purchase');
      if (bought.length === 0) continue;
      purchases += 1;
      const checkout = session.find((p) => p.expected.type === 'checkout');
      expect(checkout).toBeDefined();
      expect(new Set(bought.map((p) => p.event.order_id))).toEqual(new Set([checkout?.expected.orderId]));
      expect(new Set(bought.map((p) => p.expected.occurredAt)).size).toBe(1);
      const remaining = [...lines.values()].reduce((sum, n) => sum + n, 0);
      expect(bought).toHaveLength(remaining);
    }
    expect(purchases).toBeGreaterThan(100);
  });

  it('refunds part of a purchased line later, under the same order', () => {
    const sessions = plan(4_000, { ...DEFAULT_FUNNEL, purchase: 1, checkout: 1, addToCart: 1, refund: 0.5 });
    let refunds = 0;
    for (const session of sessions) {
      for (const refund of session.filter((p) => p.expected.type === 'refund')) {
        refunds += 1;
        const line = session.find(
          (p) => p.expected.type === 'purchase' && p.expected.productId === refund.expected.productId,
        );
        expect(line).toBeDefined();
        expect(refund.expected.orderId).toBe(line?.expected.orderId);
        expect(refund.expected.quantity).toBeLessThanOrEqual(line?.expected.quantity ?? 0);
        expect(refund.expected.occurredAt).toBeGreaterThan((line?.expected.occurredAt ?? 0) + 59_000);
      }
    }
    expect(refunds).toBeGreaterThan(0);
  });

  it('sends structurally valid events whose money fields match the expected reading', () => {
    const events = plan(2_000).flat();
    const wrong = events.filter(({ event, expected, market }) => {
      if (!validateRawEvent(event).ok) return true;
      if (![market.country, ...market.names].includes(String(event.country)) || expected.country !== market.country) {
        return true;
      }
      if (expected.priceMinor !== undefined) {
        const [whole, fraction = ''] = String(event.price).split('.');
        if (fraction.length !== market.exponent || Number(whole + fraction) !== expected.priceMinor) return true;
        if (event.currency !== market.currency) return true;
      }
      return (
        expected.amountMinor !== undefined &&
        expected.amountMinor !== (expected.priceMinor ?? 0) * (expected.quantity ?? 0)
      );
    });
    expect(wrong).toEqual([]);
    expect(events.filter((e) => e.expected.amountMinor !== undefined).length).toBeGreaterThan(100);
  });

  it('only uses currencies and countries of the market table', () => {
    const currencies = new Set(MARKETS.map((m) => m.currency));
    const used = new Set(plan(1_000).flatMap((session) => session.map((p) => p.event.currency).filter(Boolean)));
    expect([...used].filter((c) => !currencies.has(String(c)))).toEqual([]);
  });

  it.each([
    ['the defaults', DEFAULT_FUNNEL],
    [
      'an eager shop',
      { ...DEFAULT_FUNNEL, productView: 0.9, addToCart: 0.6, checkout: 0.8, purchase: 0.9, refund: 0.2 },
    ],
    ['a browsing shop', { ...DEFAULT_FUNNEL, moreViews: 0.8, extraLine: 0.6, removeFromCart: 0.5 }],
  ])('has the analytic mean events per session for %s', (_, funnel) => {
    const sessions = plan(15_000, funnel, 4);
    const observed = sessions.reduce((sum, s) => sum + s.length, 0) / sessions.length;
    expect(observed / expectedEventsPerSession(funnel)).toBeGreaterThan(0.97);
    expect(observed / expectedEventsPerSession(funnel)).toBeLessThan(1.03);
  });
});
