import {
  DIMENSION_ALL,
  windowStart,
  type CleanEventV1,
  type Granularity,
  type WindowPartialV1,
} from '@pulse/contracts';

interface WindowRow {
  tenant: string;
  granularity: Granularity;
  windowStart: number;
  dimension: string;
  metrics: Record<string, number>;
  /** Stream sequence of the last event folded into this row: grows with every change. */
  version: number;
  dirty: boolean;
}

/**
 * The aggregation state of one partition: per (tenant, granularity, window, dimension) the full
 * metric values so far. Pure: the shell feeds events with their stream sequence and asks for the
 * rows that changed since the last emission. (Walking skeleton: 1-minute event counts for the
 * `all` dimension; the full metric set, watermarks and checkpoints are issue 4.)
 */
export class PartitionWindows {
  private readonly rows = new Map<string, WindowRow>();

  constructor(readonly partition: number) {}

  fold(event: CleanEventV1, sequence: number): void {
    const granularity: Granularity = '1m';
    const start = windowStart(event.occurred_at, granularity);
    const key = `${event.tenant}\u0000${granularity}\u0000${start}\u0000${DIMENSION_ALL}`;
    let row = this.rows.get(key);
    if (!row) {
      row = {
        tenant: event.tenant,
        granularity,
        windowStart: start,
        dimension: DIMENSION_ALL,
        metrics: { events: 0 },
        version: 0,
        dirty: false,
      };
      this.rows.set(key, row);
    }
    row.metrics.events += 1;
    row.version = Math.max(row.version, sequence);
    row.dirty = true;
  }

  /** Full-state partials of every row changed since the previous call. */
  takeChanged(): WindowPartialV1[] {
    const partials: WindowPartialV1[] = [];
    for (const row of this.rows.values()) {
      if (!row.dirty) continue;
      row.dirty = false;
      partials.push({
        v: 1,
        tenant: row.tenant,
        granularity: row.granularity,
        window_start: row.windowStart,
        dimension: row.dimension,
        partition: this.partition,
        version: row.version,
        metrics: { ...row.metrics },
      });
    }
    return partials;
  }

  /** Marks rows dirty again after a failed emission, so the next tick re-sends them. */
  markChanged(partials: readonly WindowPartialV1[]): void {
    for (const partial of partials) {
      const key = `${partial.tenant}\u0000${partial.granularity}\u0000${partial.window_start}\u0000${partial.dimension}`;
      const row = this.rows.get(key);
      if (row) row.dirty = true;
    }
  }
}

/** Partitions owned by replica `index` of `replicas`: p mod R = i (DESIGN.md). */
export function ownedPartitions(partitions: number, replicas: number, index: number): number[] {
  if (index < 0 || index >= replicas) throw new Error(`replica index ${index} is outside 0..${replicas - 1}`);
  const owned: number[] = [];
  for (let p = 0; p < partitions; p += 1) if (p % replicas === index) owned.push(p);
  return owned;
}
