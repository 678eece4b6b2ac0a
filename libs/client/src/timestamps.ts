import { type proto } from '@pulse/contracts';

type Timestamp = proto.google.protobuf.Timestamp;

/** A point in time: a proto Timestamp, a Date or epoch milliseconds. */
export type TimeInput = Timestamp | Date | number;

export function timestamp(ms: number): Timestamp {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}

export function millis(value: Timestamp | undefined): number {
  return value ? value.seconds * 1000 + Math.floor(value.nanos / 1_000_000) : 0;
}

export function toTimestamp(value: TimeInput | undefined): Timestamp | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return timestamp(value);
  if (value instanceof Date) return timestamp(value.getTime());
  return value;
}
