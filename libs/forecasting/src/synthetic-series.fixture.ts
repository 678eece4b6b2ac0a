import { type TimeSeries } from './time-series.js';

/**
 * Deterministic series for the tests: a seeded PRNG (mulberry32), Gaussian draws by Box-Muller,
 * and hourly shop-like series built from known parts. Test-only (`*.fixture.ts` is not built).
 */
export const HOUR = 3_600_000;
/** Monday 2025-01-06 00:00 UTC: window 0 of every generated series. */
export const START = Date.UTC(2025, 0, 6);

export function gaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    const u = Math.max(uniform(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

export interface ShopSeries {
  readonly length: number;
  readonly level?: number;
  /** Added per hour. */
  readonly slope?: number;
  /** Amplitude of the daily cycle (a fundamental plus a half-size second harmonic). */
  readonly daily?: number;
  /** Weekend uplift: Saturday and Sunday lie this much above, weekdays 2/5 of it below. */
  readonly weekend?: number;
  readonly noise?: number;
  readonly seed?: number;
  /** From window `at` on, the level moves by `by`. */
  readonly shift?: { readonly at: number; readonly by: number };
}

/** The noise-free signal of window t. */
export function shopSignal(spec: ShopSeries, t: number): number {
  const hour = t % 24;
  const day = Math.floor(t / 24) % 7;
  const daily =
    (spec.daily ?? 0) * (Math.sin((2 * Math.PI * (hour - 9)) / 24) + 0.5 * Math.cos((4 * Math.PI * hour) / 24));
  const weekend = (spec.weekend ?? 0) * (day >= 5 ? 1 : -0.4);
  const shift = spec.shift && t >= spec.shift.at ? spec.shift.by : 0;
  return (spec.level ?? 0) + (spec.slope ?? 0) * t + daily + weekend + shift;
}

export function shopValues(spec: ShopSeries): number[] {
  const draw = gaussian(spec.seed ?? 1);
  return Array.from({ length: spec.length }, (_, t) => shopSignal(spec, t) + (spec.noise ?? 0) * draw());
}

export function hourly(values: readonly (number | null)[]): TimeSeries {
  return { start: START, stepMs: HOUR, values };
}
