import { validateRawEvent } from '@pulse/contracts';

import { FLAT_SEASONALITY } from './seasonality.js';
import { ShopTraffic, type ShopTrafficConfig } from './shop-traffic.js';
import { DEFAULT_FUNNEL } from './shopper-session.js';
import { type SimulatedEvent } from './simulated-event.js';

/** Tuesday 2026-11-24 10:00 UTC */
const START = Date.UTC(2026, 10, 24, 10);
const MINUTE = 60_000;

function take(config: Partial<ShopTrafficConfig>, minutes: number): SimulatedEvent[] {
  const traffic = new ShopTraffic({ seed: 42, start: START, rate: 100, seasonality: FLAT_SEASONALITY, ...config });
  return traffic.takeBefore(START + minutes * MINUTE);
}

/** |observed − p| within 4 standard errors of a binomial proportion over n trials. */
function expectRate(successes: number, trials: number, p: number): void {
  const standardError = Math.sqrt((p * (1 - p)) / trials);
  expect(trials).toBeGreaterThan(200);
  expect(Math.abs(successes / trials - p)).toBeLessThanOrEqual(4 * standardError + 1e-9);
}

describe('ShopTraffic with a fixed seed and every knob turned', () => {
  const knobs = {
    rate: 100,
    seed: 11,
    dirtyFraction: 0.05,
    unusableShare: 0.4,
    duplicateFraction: 0.03,
    lateFraction: 0.02,
    maxLatenessMs: 30_000,
    catalogue: { size: 200, zipfExponent: 1.2 },
  };
  const minutes = 12;
  let events: SimulatedEvent[];
  let originals: SimulatedEvent[];
  let traffic: ShopTraffic;

  beforeAll(() => {
    traffic = new ShopTraffic({ start: START, seasonality: FLAT_SEASONALITY, ...knobs });
    events = traffic.takeBefore(START + minutes * MINUTE);
    originals = events.filter((e) => e.meta.duplicateOf === undefined);
  });

  it('sends events in stream-time order, starting at start', () => {
    expect(events[0].meta.emitAt).toBeGreaterThanOrEqual(START);
    expect(events.filter((e, i) => i > 0 && e.meta.emitAt < events[i - 1].meta.emitAt)).toEqual([]);
  });

  it('produces the configured rate of events per second, duplicates included (flat seasonality)', () => {
    const expected = knobs.rate * minutes * 60;
    expect(Math.abs(events.length - expected) / expected).toBeLessThan(0.04);
  });

  it('has the configured funnel: each step converts at its rate within 4 standard errors', () => {
    const sessions = new Map<number, Map<string, number>>();
    for (const { meta } of originals) {
      const counts = sessions.get(meta.sessionIndex) ?? new Map<string, number>();
      counts.set(meta.type, (counts.get(meta.type) ?? 0) + 1);
      sessions.set(meta.sessionIndex, counts);
    }
    // Sessions that landed in the first half of the window: they have finished by its end.
    const lastSession = originals
      .filter((e) => e.meta.emitAt < START + (minutes / 2) * MINUTE)
      .reduce((max, e) => Math.max(max, e.meta.sessionIndex), 0);
    const complete = [...sessions.entries()]
      .filter(([index, c]) => c.has('page_view') && index <= lastSession)
      .map(([, c]) => c);
    const has = (c: Map<string, number>, type: string) => (c.get(type) ?? 0) > 0;
    const viewed = complete.filter((c) => has(c, 'product_view'));
    const carted = viewed.filter((c) => has(c, 'add_to_cart'));
    const multiLine = carted.filter((c) => (c.get('add_to_cart') ?? 0) >= 2);
    const checkedOut = carted.filter((c) => has(c, 'checkout'));
    const purchased = checkedOut.filter((c) => has(c, 'purchase'));

    expect(complete.filter((c) => c.get('page_view') !== 1)).toEqual([]);
    expectRate(viewed.length, complete.length, DEFAULT_FUNNEL.productView);
    expectRate(carted.length, viewed.length, DEFAULT_FUNNEL.addToCart);
    expectRate(
      multiLine.filter((c) => has(c, 'remove_from_cart')).length,
      multiLine.length,
      DEFAULT_FUNNEL.removeFromCart,
    );
    expectRate(checkedOut.length, carted.length, DEFAULT_FUNNEL.checkout);
    expectRate(purchased.length, checkedOut.length, DEFAULT_FUNNEL.purchase);
  });

  it('skews product views by Zipf popularity: the best sellers get 1/r^s / H(N, s) of them', () => {
    const views = originals.filter((e) => e.meta.type === 'product_view');
    let harmonic = 0;
    for (let r = 1; r <= 200; r += 1) harmonic += 1 / r ** 1.2;
    for (const rank of [1, 2, 3]) {
      const id = traffic.catalogue.byRank[rank - 1].id;
      expectRate(views.filter((e) => e.event.product_id === id).length, views.length, 1 / rank ** 1.2 / harmonic);
    }
  });

  it('makes the configured share of events dirty and of those the configured share unusable', () => {
    const dirty = originals.filter((e) => e.meta.quality !== 'clean');
    const unusable = dirty.filter((e) => e.meta.quality === 'unusable');
    expectRate(dirty.length, originals.length, knobs.dirtyFraction);
    expectRate(unusable.length, dirty.length, knobs.unusableShare);
    expect(new Set(unusable.map((e) => e.meta.dirt)).size).toBeGreaterThanOrEqual(5);
    expect(
      new Set(dirty.filter((e) => e.meta.quality === 'fixable').map((e) => e.meta.dirt)).size,
    ).toBeGreaterThanOrEqual(6);
  });

  it('labels each event with an outcome the gateway agrees with', () => {
    const inconsistent = originals.filter(({ event, meta }) => {
      const passesGateway = validateRawEvent(event).ok;
      if (meta.quality === 'unusable') {
        return (
          meta.expected !== undefined ||
          passesGateway !== (meta.rejectedBy !== 'gateway') ||
          (meta.rejectedBy === 'cleaner' && meta.dlqReason === undefined)
        );
      }
      return !passesGateway || meta.expected === undefined || (meta.dirt === undefined) !== (meta.quality === 'clean');
    });
    expect(inconsistent).toEqual([]);
  });

  it('re-sends the configured share of the stream with the same id and body later (client retries)', () => {
    const copies = events.filter((e) => e.meta.duplicateOf !== undefined);
    expectRate(copies.length, events.length, knobs.duplicateFraction);
    const firstSent = new Map(originals.map((e) => [e.event.event_id, e]));
    const mismatches = copies.filter((copy) => {
      const original = firstSent.get(copy.event.event_id);
      if (original === undefined) return true;
      return (
        copy.meta.duplicateOf !== copy.event.event_id ||
        JSON.stringify(copy.event) !== JSON.stringify(original.event) ||
        copy.meta.emitAt <= original.meta.emitAt ||
        copy.meta.expected !== undefined
      );
    });
    expect(mismatches).toEqual([]);
    expect(firstSent.size).toBe(originals.length);
  });

  it('sends the configured share of events late, by at most maxLatenessMs after occurred_at', () => {
    const late = originals.filter((e) => e.meta.lateByMs !== undefined);
    expectRate(late.length, originals.length, knobs.lateFraction);
    const wrong = late.filter(({ event, meta }) => {
      const lateBy = meta.lateByMs ?? 0;
      const occurredAt = meta.quality === 'clean' ? Date.parse(String(event.occurred_at)) : meta.emitAt - lateBy;
      return lateBy < 1 || lateBy > knobs.maxLatenessMs || meta.emitAt - occurredAt !== lateBy;
    });
    expect(wrong).toEqual([]);
    // Sent after events that happened later than they did: out of order in the stream.
    let outOfOrder = 0;
    let streamTime = 0;
    for (const { meta } of originals) {
      const occurredAt = meta.emitAt - (meta.lateByMs ?? 0);
      if (occurredAt < streamTime) outOfOrder += 1;
      streamTime = Math.max(streamTime, occurredAt);
    }
    expect(outOfOrder).toBeGreaterThan(late.length * 0.9);
  });

  it('counts what it emitted', () => {
    const stats = traffic.stats();
    expect(stats.events).toBe(events.length);
    expect(stats.clean + stats.fixable + stats.unusable + stats.duplicates).toBe(events.length);
    expect(stats.duplicates).toBe(events.length - originals.length);
    expect(stats.late).toBe(originals.filter((e) => e.meta.lateByMs !== undefined).length);
    expect(stats.sessions).toBeGreaterThan(1_000);
  });
});

describe('ShopTraffic', () => {
  it('is deterministic: the same seed and start give the same stream, event for event', () => {
    const config = { dirtyFraction: 0.1, duplicateFraction: 0.05, lateFraction: 0.05 };
    const first = take(config, 0.5);
    expect(first.length).toBeGreaterThan(2_000);
    // Compared as JSON: byte-for-byte what would be sent, metadata included.
    expect(JSON.stringify(take(config, 0.5)) === JSON.stringify(first)).toBe(true);
    expect(JSON.stringify(take({ ...config, seed: 43 }, 0.1))).not.toBe(JSON.stringify(first.slice(0, 600)));
  });

  it('keeps the shoppers when only the dirt and lateness knobs change', () => {
    const plain = take({ warmUpMs: 0 }, 2);
    const noisy = new Map(
      take({ warmUpMs: 0, dirtyFraction: 0.3, lateFraction: 0.2, maxLatenessMs: 10_000 }, 2).map((e) => [
        e.event.event_id,
        e,
      ]),
    );
    // Late events at the end of the window move past it; the rest are the same events, and the
    // ones left clean are identical.
    const missing = plain.filter((e) => !noisy.has(e.event.event_id));
    expect(missing.length).toBeLessThan(plain.length * 0.02);
    const changed = plain.filter((e) => {
      const other = noisy.get(e.event.event_id);
      return other?.meta.quality === 'clean' && JSON.stringify(other.event) !== JSON.stringify(e.event);
    });
    expect(changed).toEqual([]);
  });

  it('starts in its steady state: the first minute is not only page views', () => {
    const firstMinute = take({}, 1);
    const pageViews = firstMinute.filter((e) => e.meta.type === 'page_view').length;
    expect(pageViews / firstMinute.length).toBeLessThan(0.45);
    expect(firstMinute.length).toBeGreaterThan(100 * 60 * 0.85);
  });

  it('follows the seasonality: 20:00–21:00 carries the share of 03:00–04:00 the curve says', () => {
    const hour = (startHour: number) =>
      new ShopTraffic({ seed: 5, start: Date.UTC(2026, 10, 24, startHour), rate: 6 }).takeBefore(
        Date.UTC(2026, 10, 24, startHour + 1),
      ).length;
    // The default curve's mean over an hour is the mean of its two ends (linear in between).
    const evening = (1.7 + 1.6) / 2;
    const night = (0.18 + 0.17) / 2;
    const ratio = hour(20) / hour(3);
    expect(ratio / (evening / night)).toBeGreaterThan(0.85);
    expect(ratio / (evening / night)).toBeLessThan(1.15);
  });

  it('follows a different configured funnel just as well', () => {
    const funnel = { productView: 0.8, addToCart: 0.5, checkout: 0.3, purchase: 0.9 };
    const events = take({ seed: 12, funnel, warmUpMs: 0 }, 6);
    const sessionsWith = (type: string) =>
      new Set(events.filter((e) => e.meta.type === type).map((e) => e.meta.sessionIndex));
    const landed = sessionsWith('page_view');
    const cutoff = [...landed].reduce((max, s) => Math.max(max, s), 0) * 0.5;
    const inWindow = (set: Set<number>) => [...set].filter((s) => landed.has(s) && s <= cutoff).length;
    expectRate(inWindow(sessionsWith('product_view')), inWindow(landed), funnel.productView);
    expectRate(inWindow(sessionsWith('add_to_cart')), inWindow(sessionsWith('product_view')), funnel.addToCart);
  });

  it.each([
    [{ rate: 0 }, /rate/],
    [{ dirtyFraction: 1.5 }, /dirtyFraction/],
    [{ duplicateFraction: 0.6 }, /duplicateFraction/],
    [{ funnel: { checkout: -0.1 } }, /funnel.checkout/],
    [{ runId: 'has space' }, /runId/],
  ])('refuses %j, naming the setting', (bad, message) => {
    expect(() => new ShopTraffic({ seed: 1, start: START, rate: 10, ...bad })).toThrow(message);
  });
});
