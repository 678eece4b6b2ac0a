import { catalogue, seededRandom, session } from './shop-simulator.js';

describe('shop simulator', () => {
  it('is deterministic for a seed', () => {
    const make = () => {
      const random = seededRandom(42);
      const products = catalogue(random);
      return Array.from({ length: 50 }, (_, i) => session(i, 1_800_000_000_000, random, products));
    };
    expect(make()).toEqual(make());
  });

  it('produces a narrowing funnel with unique event ids', () => {
    const random = seededRandom(7);
    const products = catalogue(random);
    const events = Array.from({ length: 5_000 }, (_, i) => session(i, 1_800_000_000_000, random, products)).flat();
    const count = (type: string) => events.filter((e) => e.type === type).length;
    expect(count('page_view')).toBe(5_000);
    expect(count('product_view')).toBeLessThan(count('page_view'));
    expect(count('add_to_cart')).toBeLessThan(count('product_view'));
    expect(count('purchase')).toBeGreaterThan(0);
    expect(count('purchase')).toBeLessThan(count('checkout'));
    expect(new Set(events.map((e) => e.event_id)).size).toBe(events.length);
  });
});
