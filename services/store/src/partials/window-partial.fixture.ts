import { SKETCH_METRICS, SUM_METRICS, type SketchMetric, type SumMetric, type WindowPartialV1 } from '@pulse/contracts';
import { DistinctSketch } from '@pulse/sketches';

/**
 * Window partials for the store's tests: every metric 0 and every sketch empty unless given;
 * sketches are given as the values they count. Test-only: `*.fixture.ts` files are not built.
 */
export interface PartialSpec extends Partial<Omit<WindowPartialV1, 'metrics' | 'sketches'>> {
  metrics?: Partial<Record<SumMetric, number>>;
  sketches?: Partial<Record<SketchMetric, readonly string[]>>;
}

export function sketchOf(values: Iterable<string>): DistinctSketch {
  const sketch = new DistinctSketch();
  for (const value of values) sketch.add(value);
  return sketch;
}

export function windowPartial(spec: PartialSpec = {}): WindowPartialV1 {
  const { metrics = {}, sketches = {}, ...rest } = spec;
  return {
    v: 1,
    tenant: 'demo',
    granularity: '1m',
    window_start: Date.UTC(2026, 10, 24, 10, 0),
    dimension: 'all',
    partition: 0,
    version: 1,
    closed: false,
    ...rest,
    metrics: Object.fromEntries(SUM_METRICS.map((metric) => [metric, metrics[metric] ?? 0])),
    sketches: Object.fromEntries(SKETCH_METRICS.map((metric) => [metric, sketchOf(sketches[metric] ?? []).toBase64()])),
  };
}

export const ids = (prefix: string, n: number, from = 0): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}-${from + i}`);
