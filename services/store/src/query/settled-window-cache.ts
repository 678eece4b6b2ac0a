/**
 * Merged values of *settled* windows — windows that can never change again (docs/storage.md, "The
 * series query path and the settled-window cache") — kept in process so a repeated series query
 * reads from Cassandra only the windows that may still change. Bounded by an estimate of the
 * bytes it holds; the least recently used series is evicted whole. An entry also ends when the
 * first of its rows' TTLs runs out, so a cached window never outlives the data a fresh read sees.
 */

/** One metric of one settled window: a sum, or the encoded union sketch of a distinct metric. */
export type SettledValue = number | Uint8Array;

interface SettledEntry {
  value: SettledValue;
  /** Epoch ms from which the window's first row may have expired in Cassandra. */
  expiresAt: number;
}

interface SeriesEntries {
  windows: Map<number, SettledEntry>;
  bytes: number;
}

/** Identifies one metric of one series: the tenant is part of the key, so tenants never share. */
export interface SeriesKey {
  tenant: string;
  granularity: string;
  dimension: string;
  metric: string;
}

/** Rough heap cost of a key, a window entry and a value (Map slot, object, number or buffer). */
const SERIES_OVERHEAD_BYTES = 200;
const ENTRY_OVERHEAD_BYTES = 80;

export interface SettledCacheStats {
  hits: number;
  misses: number;
  expired: number;
  evictedSeries: number;
  series: number;
  windows: number;
  bytes: number;
}

export class SettledWindowCache {
  /** Insertion order is recency order: a series touched is deleted and re-inserted. */
  private readonly series = new Map<string, SeriesEntries>();
  private bytes = 0;
  private windows = 0;
  private readonly counters = { hits: 0, misses: 0, expired: 0, evictedSeries: 0 };

  constructor(private readonly maxBytes: number) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  /**
   * The cached values of the given windows of one series (`now` decides expiry); windows not in
   * the result must be read. Counts a hit per window found and a miss per window not.
   */
  lookup(key: SeriesKey, starts: readonly number[], now: number): Map<number, SettledValue> {
    const found = new Map<number, SettledValue>();
    const id = seriesId(key);
    const entries = this.enabled ? this.series.get(id) : undefined;
    if (!entries) {
      this.counters.misses += starts.length;
      return found;
    }
    this.touch(id, entries);
    for (const start of starts) {
      const entry = entries.windows.get(start);
      if (entry && entry.expiresAt > now) found.set(start, entry.value);
      else if (entry) {
        this.remove(entries, start, entry);
        this.counters.expired += 1;
      }
    }
    this.counters.hits += found.size;
    this.counters.misses += starts.length - found.size;
    return found;
  }

  /** Remembers a settled window's value until `expiresAt`; evicts least recently used series. */
  store(key: SeriesKey, start: number, value: SettledValue, expiresAt: number): void {
    if (!this.enabled) return;
    const id = seriesId(key);
    let entries = this.series.get(id);
    if (!entries) {
      entries = { windows: new Map(), bytes: SERIES_OVERHEAD_BYTES + id.length * 2 };
      this.bytes += entries.bytes;
    }
    this.touch(id, entries);
    const previous = entries.windows.get(start);
    if (previous) this.remove(entries, start, previous);
    const cost = entryBytes(value);
    entries.windows.set(start, { value, expiresAt });
    entries.bytes += cost;
    this.bytes += cost;
    this.windows += 1;
    this.evict();
  }

  /** Forgets everything (e.g. after the tables were reset). */
  clear(): void {
    this.series.clear();
    this.bytes = 0;
    this.windows = 0;
  }

  stats(): SettledCacheStats {
    return { ...this.counters, series: this.series.size, windows: this.windows, bytes: this.bytes };
  }

  private touch(id: string, entries: SeriesEntries): void {
    this.series.delete(id);
    this.series.set(id, entries);
  }

  private remove(entries: SeriesEntries, start: number, entry: SettledEntry): void {
    entries.windows.delete(start);
    const cost = entryBytes(entry.value);
    entries.bytes -= cost;
    this.bytes -= cost;
    this.windows -= 1;
  }

  private evict(): void {
    for (const [id, entries] of this.series) {
      if (this.bytes <= this.maxBytes) return;
      this.series.delete(id);
      this.bytes -= entries.bytes;
      this.windows -= entries.windows.size;
      this.counters.evictedSeries += 1;
    }
  }
}

function seriesId(key: SeriesKey): string {
  // JSON keeps the parts apart whatever characters a tenant or dimension holds.
  return JSON.stringify([key.tenant, key.granularity, key.dimension, key.metric]);
}

function entryBytes(value: SettledValue): number {
  return ENTRY_OVERHEAD_BYTES + (typeof value === 'number' ? 0 : value.byteLength);
}
