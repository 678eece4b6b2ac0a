import { STREAMS, type StreamKey } from '@pulse/contracts';

import { Type, type Static } from '@sinclair/typebox';

/**
 * Stream settings every service provisions identically from the same environment, so whichever
 * service starts first creates a stream and the others find it unchanged. Defaults are for a
 * single dev node; production sets replicas 3 (see deploy/).
 */
export const StreamSettings = {
  PULSE_STREAM_REPLICAS: Type.Integer({ default: 1, minimum: 1, maximum: 5 }),
  PULSE_STREAM_MAX_AGE_HOURS: Type.Integer({ default: 72, minimum: 1 }),
  PULSE_STREAM_MAX_BYTES: Type.Integer({ default: 2 * 1024 ** 3, minimum: -1, description: '-1 = unlimited' }),
  /**
   * JetStream deduplicates a retried `Nats-Msg-Id` only inside this window. 10 minutes covers a
   * client's retry-with-backoff after a gateway or NATS restart; the cost is one id per event kept
   * in memory for that long (~80 B each: 10 min at 50k ev/s ≈ 2.4 GB, so high-rate installs lower it).
   */
  /**
   * What a full stream does: `new` refuses new writes (the gateway answers 429 and nothing
   * unconsumed is ever deleted); `old` deletes the oldest messages, which may not be consumed yet.
   */
  PULSE_STREAM_DISCARD: Type.Union([Type.Literal('new'), Type.Literal('old')], { default: 'new' }),
  PULSE_STREAM_DUPLICATE_WINDOW_SECONDS: Type.Integer({ default: 600, minimum: 1 }),
};
export type StreamSettingsValues = Static<ReturnType<typeof Type.Object<typeof StreamSettings>>>;

export interface StreamSpec {
  name: string;
  subjects: string[];
  replicas: number;
  maxAgeMs: number;
  maxBytes: number;
  duplicateWindowMs: number;
  discard: 'new' | 'old';
  /** JetStream fast-ingest batches (nats-server ≥ 2.14): needed by the gateway's `batch` publish mode. */
  allowBatched: boolean;
}

export function streamSpecs(settings: StreamSettingsValues, keys: readonly StreamKey[]): StreamSpec[] {
  return keys.map((key) => ({
    name: STREAMS[key].name,
    subjects: [...STREAMS[key].subjects],
    replicas: settings.PULSE_STREAM_REPLICAS,
    maxAgeMs: settings.PULSE_STREAM_MAX_AGE_HOURS * 3_600_000,
    maxBytes: settings.PULSE_STREAM_MAX_BYTES,
    duplicateWindowMs: settings.PULSE_STREAM_DUPLICATE_WINDOW_SECONDS * 1000,
    discard: settings.PULSE_STREAM_DISCARD,
    allowBatched: key === 'raw' || key === 'clean',
  }));
}
