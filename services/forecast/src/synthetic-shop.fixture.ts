/**
 * Hourly revenue and orders of a synthetic shop for the forecast service's tests: a daily shape
 * (quiet nights, an evening peak), busier weekends, a slight upward trend, and noise — Gaussian
 * for revenue, about Poisson for orders. Every window is a pure function of (seed, metric,
 * window), so a fake store can serve any range in any order. Test-only: `*.fixture.ts` files are
 * not built into dist.
 */

const HOUR = 3_600_000;

export interface ShopShape {
  readonly seed: number;
  /** Scales every value (a bigger or smaller shop). */
  readonly scale?: number;
  /** Changes of single windows: window start → multiplier of the clean value. */
  readonly injected?: ReadonlyMap<number, number>;
}

/** Mean revenue (minor units) and orders of an hour of an average day. */
const REVENUE_LEVEL = 60_000;
const ORDERS_LEVEL = 40;

function dailyShape(hourOfDay: number): number {
  // Night low around 04:00, evening peak around 20:00, two harmonics.
  const angle = (2 * Math.PI * (hourOfDay - 14)) / 24;
  return 1 + 0.45 * Math.cos(angle) + 0.12 * Math.cos(2 * angle);
}

function weeklyShape(dayOfWeek: number): number {
  return dayOfWeek === 0 || dayOfWeek === 6 ? 1.2 : 0.95;
}

/** The clean (noise-free) mean of a window, before scale. */
function mean(windowStart: number): number {
  const date = new Date(windowStart);
  const trend = 1 + ((windowStart - Date.UTC(2026, 0, 1)) / (365 * 86_400_000)) * 0.1;
  return dailyShape(date.getUTCHours()) * weeklyShape(date.getUTCDay()) * trend;
}

/** A uniform number in [0, 1) from a 32-bit hash of the inputs (splitmix-like mixing). */
function uniform(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h ^= Math.imul((part | 0) ^ Math.floor(part / 2 ** 32), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return ((h >>> 0) + 0.5) / 2 ** 32;
}

function gaussian(...parts: number[]): number {
  const u = uniform(...parts, 1);
  const v = uniform(...parts, 2);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const METRIC_CODE: Record<string, number> = { revenue: 1, orders: 2 };

/**
 * The value of a window of a metric (`revenue` or `orders`), or undefined for other metrics. The
 * injected multiplier applies to the clean value; noise is added after it.
 */
export function shopValue(shape: ShopShape, metric: string, windowStart: number): number | undefined {
  const code = METRIC_CODE[metric];
  if (code === undefined) return undefined;
  const scale = shape.scale ?? 1;
  const factor = shape.injected?.get(windowStart) ?? 1;
  const index = Math.floor(windowStart / HOUR);
  const noise = gaussian(shape.seed, code, index);
  if (metric === 'revenue') {
    const clean = REVENUE_LEVEL * scale * mean(windowStart);
    return Math.max(0, Math.round(clean * factor + noise * 0.05 * REVENUE_LEVEL * scale));
  }
  const clean = ORDERS_LEVEL * scale * mean(windowStart);
  return Math.max(0, Math.round(clean * factor + noise * Math.sqrt(clean)));
}
