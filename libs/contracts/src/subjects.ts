/**
 * NATS subject and JetStream stream names: the data path's addresses (DESIGN.md, "Data path").
 * Subjects carry the tenant or partition as the last token, so a consumer can filter on it.
 */
export const STREAMS = {
  raw: { name: 'PULSE_RAW', subjects: ['pulse.raw.>'] },
  clean: { name: 'PULSE_CLEAN', subjects: ['pulse.clean.>'] },
  agg: { name: 'PULSE_AGG', subjects: ['pulse.agg.>'] },
  dlq: { name: 'PULSE_DLQ', subjects: ['pulse.dlq.>'] },
  late: { name: 'PULSE_LATE', subjects: ['pulse.late.>'] },
  alerts: { name: 'PULSE_ALERTS', subjects: ['pulse.alerts.>'] },
} as const;
export type StreamKey = keyof typeof STREAMS;

/** A tenant id is one NATS subject token and one Cassandra partition-key value. */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function assertTenantId(tenant: string): string {
  if (!TENANT_ID_PATTERN.test(tenant)) {
    throw new Error(`invalid tenant id ${JSON.stringify(tenant)}: must match ${TENANT_ID_PATTERN}`);
  }
  return tenant;
}

function assertPartition(partition: number): number {
  if (!Number.isInteger(partition) || partition < 0) {
    throw new Error(`invalid partition ${partition}: must be a non-negative integer`);
  }
  return partition;
}

export const subjects = {
  raw: (tenant: string) => `pulse.raw.${assertTenantId(tenant)}`,
  clean: (partition: number) => `pulse.clean.${assertPartition(partition)}`,
  agg: (partition: number) => `pulse.agg.${assertPartition(partition)}`,
  dlq: (tenant: string) => `pulse.dlq.${assertTenantId(tenant)}`,
  late: (tenant: string) => `pulse.late.${assertTenantId(tenant)}`,
  alerts: (tenant: string) => `pulse.alerts.${assertTenantId(tenant)}`,
};

/** The last token of a subject: the tenant of `pulse.raw.<tenant>`, the partition of `pulse.clean.<p>`. */
export function lastToken(subject: string): string {
  return subject.slice(subject.lastIndexOf('.') + 1);
}

/** JetStream deduplicates on this header within the stream's duplicate window. */
export function messageId(tenant: string, eventId: string): string {
  return `${tenant}:${eventId}`;
}

/**
 * Control records share a partition's subject with its events, so they sit at a fixed position in
 * the stream and a replay meets them exactly where the original run did. A message with this
 * header is not an event.
 */
export const CONTROL_HEADER = 'Pulse-Control';

/**
 * `Pulse-Control: watermark` on `pulse.clean.<p>`: the aggregator's idle-partition progress. Body
 * `{"v":1,"advance_to":<epoch ms>}`: treat event time as having reached `advance_to`.
 */
export const WATERMARK_CONTROL = 'watermark';
export interface WatermarkMarkerV1 {
  v: 1;
  advance_to: number;
}

/** Header on `pulse.late.<tenant>` records: why the event was not counted. */
export const LATE_REASON_HEADER = 'Pulse-Late-Reason';

/**
 * Header on a `pulse.agg.<partition>` partial: the newest `occurred_at` (epoch ms) among the events
 * of its row, present when the partial makes events visible that no earlier partial of the row
 * carried (every open partial; a closing one only if events arrived since the row's last open
 * partial). The store measures freshness from it (`pulse.store.freshness`). A header, not a body
 * field: the partial's schema admits no unknown property, so a store one release behind would
 * terminate partials that carried it in the body; it ignores a header.
 */
export const NEWEST_EVENT_HEADER = 'Pulse-Newest-Event-At';
