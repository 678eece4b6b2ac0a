import { proto, type Granularity } from '@pulse/contracts';

import { type QueryGranularity } from '../query/query-range.js';
import { type GapFill } from '../query/series-points.js';

type Timestamp = proto.google.protobuf.Timestamp;
const { GapFill: ProtoGapFill, Granularity: ProtoGranularity } = proto.pulse.store.v1;

/** Proto ↔ domain values of pulse.store.v1 (timestamps ↔ epoch ms, enums ↔ names). */
const GRANULARITY_OF: Record<string, QueryGranularity> = {
  [ProtoGranularity.GRANULARITY_UNSPECIFIED]: 'auto',
  [ProtoGranularity.GRANULARITY_MINUTE]: '1m',
  [ProtoGranularity.GRANULARITY_HOUR]: '1h',
  [ProtoGranularity.GRANULARITY_DAY]: '1d',
};
const PROTO_GRANULARITY: Record<Granularity, proto.pulse.store.v1.Granularity> = {
  '1m': ProtoGranularity.GRANULARITY_MINUTE,
  '1h': ProtoGranularity.GRANULARITY_HOUR,
  '1d': ProtoGranularity.GRANULARITY_DAY,
};
const GAP_FILL_OF: Record<string, GapFill> = {
  [ProtoGapFill.GAP_FILL_UNSPECIFIED]: 'absent',
  [ProtoGapFill.GAP_FILL_ABSENT]: 'absent',
  [ProtoGapFill.GAP_FILL_ZERO]: 'zero',
};

/** `undefined` for a value this server does not know (a newer client's enum value). */
export function granularityOf(value: unknown): QueryGranularity | undefined {
  return GRANULARITY_OF[String(value ?? ProtoGranularity.GRANULARITY_UNSPECIFIED)];
}

export function protoGranularity(granularity: Granularity): proto.pulse.store.v1.Granularity {
  return PROTO_GRANULARITY[granularity];
}

export function gapFillOf(value: unknown): GapFill | undefined {
  return GAP_FILL_OF[String(value ?? ProtoGapFill.GAP_FILL_UNSPECIFIED)];
}

/** Epoch ms of a Timestamp; `undefined` when the field was not set. */
export function millisOf(timestamp: Timestamp | null | undefined): number | undefined {
  if (!timestamp) return undefined;
  return Number(timestamp.seconds) * 1000 + Math.floor(Number(timestamp.nanos ?? 0) / 1e6);
}

export function timestampOf(ms: number): Timestamp {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1e6 };
}
