import {
  DIMENSION_ALL,
  DIMENSION_KINDS,
  SKETCH_METRICS,
  SUM_METRICS,
  TENANT_ID_PATTERN,
  WindowPartialV1Schema,
  windowStart,
  type WindowPartialV1,
} from '@pulse/contracts';

import { Ajv } from 'ajv';

const matchesSchema = new Ajv({ strict: false, allErrors: false }).compile<WindowPartialV1>(WindowPartialV1Schema);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Cassandra `int` (the partition column). */
const MAX_INT32 = 2 ** 31 - 1;

export type PartialCheck = { partial: WindowPartialV1; problem?: undefined } | { partial?: undefined; problem: string };

/**
 * Whether a decoded `pulse.agg` message is a partial the store can write: the contract's schema,
 * plus what the schema cannot say and a write would otherwise fail on forever (a retry cannot fix
 * it) or a read would trip over later: every metric and sketch key of the contract (keys this
 * store does not know are ignored, so an aggregator that is one contract release ahead loses
 * only its new metrics), integers Cassandra's bigint holds exactly, an aligned window, a known
 * dimension kind, base64 sketches. The sketches themselves are decoded only at read time
 * (decoding one costs up to ~80 µs, too much for every emission).
 */
export function checkPartial(value: unknown): PartialCheck {
  if (!matchesSchema(value)) {
    const error = matchesSchema.errors?.[0];
    return { problem: `not a WindowPartialV1: ${error?.instancePath || '/'} ${error?.message ?? ''}`.trim() };
  }
  const problem = semanticProblem(value);
  return problem ? { problem } : { partial: value };
}

function semanticProblem(partial: WindowPartialV1): string | undefined {
  if (!TENANT_ID_PATTERN.test(partial.tenant)) return `invalid tenant ${JSON.stringify(partial.tenant)}`;
  if (windowStart(partial.window_start, partial.granularity) !== partial.window_start) {
    return `window_start ${partial.window_start} is not aligned to ${partial.granularity}`;
  }
  if (!Number.isSafeInteger(partial.window_start)) return 'window_start is not a safe integer';
  if (!Number.isSafeInteger(partial.version)) return 'version is not a safe integer';
  if (partial.partition > MAX_INT32) return `partition ${partial.partition} out of range`;
  const dimensionProblem = checkDimension(partial.dimension);
  if (dimensionProblem) return dimensionProblem;
  const metricsProblem = checkKeys('metrics', partial.metrics, SUM_METRICS);
  if (metricsProblem) return metricsProblem;
  for (const metric of SUM_METRICS) {
    if (!Number.isSafeInteger(partial.metrics[metric])) return `metrics.${metric} is not a safe integer`;
  }
  const sketchesProblem = checkKeys('sketches', partial.sketches, SKETCH_METRICS);
  if (sketchesProblem) return sketchesProblem;
  for (const metric of SKETCH_METRICS) {
    if (!BASE64.test(partial.sketches[metric] ?? '')) return `sketches.${metric} is not base64`;
  }
  return undefined;
}

function checkDimension(dimension: string): string | undefined {
  if (dimension === DIMENSION_ALL) return undefined;
  const separator = dimension.indexOf(':');
  const kind = dimension.slice(0, Math.max(separator, 0));
  if (separator < 0 || !(DIMENSION_KINDS as readonly string[]).includes(kind)) {
    return `unknown dimension kind in ${JSON.stringify(dimension)}`;
  }
  if (separator === dimension.length - 1) return `empty dimension value in ${JSON.stringify(dimension)}`;
  return undefined;
}

function checkKeys(field: string, record: Record<string, unknown>, expected: readonly string[]): string | undefined {
  const missing = expected.filter((key) => !Object.hasOwn(record, key));
  return missing.length > 0 ? `${field} misses ${missing.join(', ')}` : undefined;
}
