import {
  DIMENSION_ALL,
  dimensionOf,
  GRANULARITIES,
  GRANULARITY_NAMES,
  OVERFLOW_VALUE,
  windowStart,
  type CleanEventV1,
  type DimensionKind,
  type Granularity,
  type WindowPartialV1,
} from '@pulse/contracts';
import { distinctKey } from '@pulse/sketches';

import { WindowRow, type EventKeys, type WindowRowSnapshot } from './window-row.js';

export interface WindowSettings {
  /** Watermark = max event time seen − this (bounded out-of-orderness). */
  outOfOrdernessMs: number;
  /** A window closes when the watermark passes its end + this; later events are late. */
  allowedLatenessMs: number;
  /** Distinct values of one dimension kind per window; more fold into `<kind>:__other__`. */
  maxValuesPerKind: number;
}

interface Window {
  tenant: string;
  granularity: Granularity;
  start: number;
  /** event time at which the watermark closes it: end + allowed lateness */
  closesAt: number;
  rows: Map<string, WindowRow>;
  values: Map<DimensionKind, Set<string>>;
  /** stream sequence of the message whose watermark advance closed it: the final version */
  closedBy?: number;
}

/** An event that arrived after its window closed: not counted, sent to `pulse.late.<tenant>`. */
export interface LateEvent {
  event: CleanEventV1;
  sequence: number;
  watermark: number;
}

/** What one emission publishes; handed back with `requeue` when publishing failed. */
export interface Emission {
  partials: WindowPartialV1[];
  late: LateEvent[];
  /** stream sequence the emission covers: everything up to it is in these partials */
  sequence: number;
  /** where each partial came from (same index): a changed row, or a window that closed */
  readonly origins: ReadonlyArray<[Window, WindowRow] | Window>;
  /**
   * Per partial (same index): the newest event time of its row when the partial carries events no
   * earlier partial of the row carried (the row was dirty), else undefined.
   */
  readonly newestEventAt: ReadonlyArray<number | undefined>;
}

export interface PartitionCheckpoint {
  v: 1;
  partition: number;
  /** last stream sequence folded into this state (events and control records) */
  sequence: number;
  maxEventTime: number | null;
  lateEvents: number;
  windows: Array<{
    tenant: string;
    granularity: Granularity;
    start: number;
    values: Partial<Record<DimensionKind, string[]>>;
    rows: WindowRowSnapshot[];
  }>;
}

const DIMENSION_FIELDS: ReadonlyArray<[DimensionKind, keyof CleanEventV1]> = [
  ['product', 'product_id'],
  ['category', 'category'],
  ['country', 'country'],
  ['channel', 'channel'],
];

/**
 * The aggregation state of one partition (Flink vocabulary): event-time tumbling windows of 1
 * minute, 1 hour and 1 day (UTC) per tenant and dimension, a bounded-out-of-orderness watermark,
 * allowed lateness and a side output for late events. Pure and deterministic: the same messages
 * in the same order give the same partials with the same versions, which is what makes replay
 * after a crash (from a checkpoint) overwrite instead of add.
 *
 * An event is late when its 1-minute window has closed; it then counts in no granularity, so a
 * day always equals the sum of its hours and minutes.
 */
export class PartitionAggregator {
  private readonly windows = new Map<string, Window>();
  private closing: Window[] = [];
  private late: LateEvent[] = [];
  private nextCloseAt = Number.POSITIVE_INFINITY;
  private sequence = 0;
  private maxEventTime = Number.NEGATIVE_INFINITY;
  private lateEvents = 0;
  /** Hour/day rows changed since the last full collect (they are emitted less often). */
  private coarseDirty = false;

  constructor(
    readonly partition: number,
    private readonly settings: WindowSettings,
  ) {}

  get lastSequence(): number {
    return this.sequence;
  }

  get watermark(): number {
    return this.maxEventTime - this.settings.outOfOrdernessMs;
  }

  /** Highest event time seen (or advanced to by a watermark marker); undefined before any. */
  get eventClock(): number | undefined {
    return Number.isFinite(this.maxEventTime) ? this.maxEventTime : undefined;
  }

  get lateEventCount(): number {
    return this.lateEvents;
  }

  get openWindowCount(): number {
    return this.windows.size;
  }

  get rowCount(): number {
    let rows = 0;
    for (const window of this.windows.values()) rows += window.rows.size;
    return rows;
  }

  fold(event: CleanEventV1, sequence: number): 'counted' | 'late' {
    this.sequence = sequence;
    const minuteEnd = windowStart(event.occurred_at, '1m') + GRANULARITIES['1m'];
    if (this.watermark >= minuteEnd + this.settings.allowedLatenessMs) {
      this.late.push({ event, sequence, watermark: this.watermark });
      this.lateEvents += 1;
      return 'late';
    }
    this.advanceClock(event.occurred_at, sequence);
    this.coarseDirty = true;
    const keys: EventKeys = {
      user: event.user_key === undefined ? undefined : distinctKey(event.user_key),
      session: event.session_id === undefined ? undefined : distinctKey(event.session_id),
    };
    for (const granularity of GRANULARITY_NAMES) {
      const window = this.windowFor(event.tenant, granularity, event.occurred_at);
      this.rowFor(window, DIMENSION_ALL).fold(event, keys, sequence);
      for (const [kind, field] of DIMENSION_FIELDS) {
        const value = event[field];
        if (typeof value !== 'string') continue;
        this.rowFor(window, this.dimension(window, kind, value)).fold(event, keys, sequence);
      }
    }
    return 'counted';
  }

  /** A watermark marker (idle-partition progress) read from the stream at `sequence`. */
  advance(eventTime: number, sequence: number): void {
    this.sequence = sequence;
    this.advanceClock(eventTime, sequence);
  }

  /**
   * Partials of every row changed since the last emission (`closed: false`) and the final
   * partials of every row of the windows that closed (`closed: true`, version = the sequence
   * that closed them), plus the late events. Closed windows leave the state here. With
   * `coarse: false` only minute rows are emitted (hour and day rows wait for a full collect:
   * they change with every event, so emitting them every second costs the most).
   */
  collect(options: { coarse: boolean } = { coarse: true }): Emission {
    const partials: WindowPartialV1[] = [];
    const origins: Array<[Window, WindowRow] | Window> = [];
    const newestEventAt: Array<number | undefined> = [];
    if (options.coarse) this.coarseDirty = false;
    for (const window of this.windows.values()) {
      if (!options.coarse && window.granularity !== '1m') continue;
      for (const row of window.rows.values()) {
        if (!row.dirty) continue;
        row.dirty = false;
        origins.push([window, row]);
        newestEventAt.push(row.newestEventAt);
        partials.push(row.partial(this.header(window), false));
      }
    }
    const closed = this.closing;
    this.closing = [];
    for (const window of closed) {
      for (const row of window.rows.values()) {
        newestEventAt.push(row.dirty ? row.newestEventAt : undefined);
        row.dirty = false;
        origins.push(window);
        partials.push(row.partial(this.header(window), true, window.closedBy));
      }
    }
    const late = this.late;
    this.late = [];
    return { partials, late, sequence: this.sequence, origins, newestEventAt };
  }

  /**
   * Puts what could not be published back, so the next emission carries it again: all of it, or
   * only the partials and late events at the failed indexes (what was acknowledged stays done).
   */
  requeue(emission: Emission, failed?: { partials: Iterable<number>; late: Iterable<number> }): void {
    const partialIndexes = failed ? [...failed.partials] : emission.partials.map((_, index) => index);
    const lateIndexes = failed ? [...failed.late] : emission.late.map((_, index) => index);
    const closed = new Set<Window>();
    for (const index of partialIndexes) {
      const origin = emission.origins[index];
      if (!Array.isArray(origin)) {
        closed.add(origin);
        continue;
      }
      const [window, row] = origin;
      if (this.windows.get(this.key(window.tenant, window.granularity, window.start)) !== window) continue;
      row.dirty = true;
      if (window.granularity !== '1m') this.coarseDirty = true;
    }
    this.closing = [...closed, ...this.closing];
    this.late = [...lateIndexes.map((index) => emission.late[index]), ...this.late];
  }

  /** The whole state; take it right after `collect()` so nothing in it is unpublished. */
  snapshot(): PartitionCheckpoint {
    if (this.closing.length > 0 || this.late.length > 0 || this.coarseDirty) {
      throw new Error('snapshot() must follow a full collect(): some state is unpublished');
    }
    return {
      v: 1,
      partition: this.partition,
      sequence: this.sequence,
      maxEventTime: this.eventClock ?? null,
      lateEvents: this.lateEvents,
      windows: [...this.windows.values()].map((window) => ({
        tenant: window.tenant,
        granularity: window.granularity,
        start: window.start,
        values: Object.fromEntries([...window.values].map(([kind, values]) => [kind, [...values]])),
        rows: [...window.rows.values()].map((row) => row.snapshot()),
      })),
    };
  }

  static restore(checkpoint: PartitionCheckpoint, settings: WindowSettings): PartitionAggregator {
    const state = new PartitionAggregator(checkpoint.partition, settings);
    state.sequence = checkpoint.sequence;
    state.maxEventTime = checkpoint.maxEventTime ?? Number.NEGATIVE_INFINITY;
    state.lateEvents = checkpoint.lateEvents;
    for (const saved of checkpoint.windows) {
      const window = state.windowFor(saved.tenant, saved.granularity, saved.start);
      for (const [kind, values] of Object.entries(saved.values)) {
        window.values.set(kind as DimensionKind, new Set(values));
      }
      for (const row of saved.rows) window.rows.set(row.dimension, WindowRow.restore(row));
    }
    return state;
  }

  private advanceClock(eventTime: number, sequence: number): void {
    if (eventTime <= this.maxEventTime) return;
    this.maxEventTime = eventTime;
    if (this.watermark >= this.nextCloseAt) this.closeWindows(sequence);
  }

  private closeWindows(sequence: number): void {
    let next = Number.POSITIVE_INFINITY;
    for (const [key, window] of this.windows) {
      if (this.watermark >= window.closesAt) {
        window.closedBy = sequence;
        this.windows.delete(key);
        this.closing.push(window);
      } else {
        next = Math.min(next, window.closesAt);
      }
    }
    this.nextCloseAt = next;
  }

  private windowFor(tenant: string, granularity: Granularity, eventTime: number): Window {
    const start = windowStart(eventTime, granularity);
    const key = this.key(tenant, granularity, start);
    let window = this.windows.get(key);
    if (!window) {
      const closesAt = start + GRANULARITIES[granularity] + this.settings.allowedLatenessMs;
      window = { tenant, granularity, start, closesAt, rows: new Map(), values: new Map() };
      this.windows.set(key, window);
      this.nextCloseAt = Math.min(this.nextCloseAt, closesAt);
    }
    return window;
  }

  private rowFor(window: Window, dimension: string): WindowRow {
    let row = window.rows.get(dimension);
    if (!row) {
      row = new WindowRow(dimension);
      window.rows.set(dimension, row);
    }
    return row;
  }

  /** `<kind>:<value>`, or `<kind>:__other__` once the window holds the maximum of that kind. */
  private dimension(window: Window, kind: DimensionKind, value: string): string {
    let values = window.values.get(kind);
    if (!values) {
      values = new Set();
      window.values.set(kind, values);
    }
    if (!values.has(value)) {
      if (values.size >= this.settings.maxValuesPerKind) return dimensionOf(kind, OVERFLOW_VALUE);
      values.add(value);
    }
    return dimensionOf(kind, value);
  }

  private header(window: Window) {
    return {
      tenant: window.tenant,
      granularity: window.granularity,
      windowStart: window.start,
      partition: this.partition,
    };
  }

  private key(tenant: string, granularity: Granularity, start: number): string {
    return `${tenant}\u0000${granularity}\u0000${start}`;
  }
}

/** Partitions owned by replica `index` of `replicas`: p mod R = i (DESIGN.md). */
export function ownedPartitions(partitions: number, replicas: number, index: number): number[] {
  if (index < 0 || index >= replicas) throw new Error(`replica index ${index} is outside 0..${replicas - 1}`);
  const owned: number[] = [];
  for (let p = 0; p < partitions; p += 1) if (p % replicas === index) owned.push(p);
  return owned;
}
