import { type WindowPartialV1 } from '@pulse/contracts';

/** Identity of one stored partial: (tenant, granularity, window, dimension, partition). */
export function partialRowKey(partial: WindowPartialV1): string {
  return [partial.tenant, partial.granularity, partial.window_start, partial.dimension, partial.partition].join(
    '\u0000',
  );
}

/** How far a row has been written: its highest version, and whether that version was the closing one. */
interface Written {
  version: number;
  closed: boolean;
}

/**
 * The highest version this process has written per partial row, for the rows written most
 * recently (a bounded map; the least recently written row is forgotten first). A partial whose
 * version is below the recorded one need not be written: Cassandra would keep the newer cells
 * anyway. At an equal version the partial is by contract the identical one — except that the
 * window's closing emission may repeat the last live version with `closed` turned true, so that
 * one is still written. Forgetting a row only costs a redundant (harmless) write. Capacity 0
 * disables it.
 */
export class WrittenVersions {
  private readonly rows = new Map<string, Written>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.rows.size;
  }

  /** True when this partial's version (and closed flag) of the row was already written or surpassed. */
  covers(key: string, version: number, closed = false): boolean {
    const written = this.rows.get(key);
    if (!written) return false;
    return written.version > version || (written.version === version && (written.closed || !closed));
  }

  /** Call only after the write succeeded. */
  record(key: string, version: number, closed = false): void {
    if (this.capacity <= 0) return;
    const written = this.rows.get(key);
    this.rows.delete(key);
    if (!written || version > written.version) this.rows.set(key, { version, closed });
    else if (version === written.version) this.rows.set(key, { version, closed: closed || written.closed });
    else this.rows.set(key, written);
    while (this.rows.size > this.capacity) {
      const oldest = this.rows.keys().next().value as string;
      this.rows.delete(oldest);
    }
  }
}
