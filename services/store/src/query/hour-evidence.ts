import { windowStart } from '@pulse/contracts';

/** One stored partial of a series reduced to what the proof needs: its partition, events, closed. */
export interface PartitionRow {
  windowStart: number;
  partition: number;
  events: number;
  closed: boolean;
}

/**
 * The minute windows of `candidates` (all their rows closed, some partitions missing) that can
 * never change again, proven from the hour windows that contain them, for one series of the
 * `all` dimension. A missing partition q of minute W cannot report later when q's row of W's hour
 * is closed (q's watermark passed the hour's end, so every minute in it is closed in q) and its
 * `events` equal the sum over q's minute rows of that hour: every event counted in the hour is
 * counted in exactly one of its minutes (aggregation.md: a late event counts in no granularity)
 * and every row holds at least one event, so a minute row of q still unwritten would leave the
 * sum short. Only for `all`, which the dimension cap never folds. `minutes` must be one read of
 * every minute row of the candidates' hours; a candidate whose partition count differs from
 * `partials` (a row written since the sums were read) is left out.
 */
export function settledByHours(
  candidates: ReadonlyArray<{ windowStart: number; partials: number }>,
  minutes: readonly PartitionRow[],
  hours: readonly PartitionRow[],
  partitions: number,
): Set<number> {
  const present = new Map<number, Set<number>>();
  const minuteSums = new Map<string, { events: number; closed: boolean }>();
  for (const row of minutes) {
    let set = present.get(row.windowStart);
    if (!set) present.set(row.windowStart, (set = new Set()));
    set.add(row.partition);
    const key = `${windowStart(row.windowStart, '1h')}/${row.partition}`;
    const sum = minuteSums.get(key) ?? { events: 0, closed: true };
    minuteSums.set(key, { events: sum.events + row.events, closed: sum.closed && row.closed });
  }
  const hourRows = new Map(hours.map((row) => [`${row.windowStart}/${row.partition}`, row]));
  const complete = (hour: number, partition: number): boolean => {
    const key = `${hour}/${partition}`;
    const hourRow = hourRows.get(key);
    const sum = minuteSums.get(key) ?? { events: 0, closed: true };
    return hourRow !== undefined && hourRow.closed && sum.closed && sum.events === hourRow.events;
  };
  const proven = new Set<number>();
  for (const candidate of candidates) {
    const rows = present.get(candidate.windowStart) ?? new Set<number>();
    if (rows.size !== candidate.partials) continue;
    const hour = windowStart(candidate.windowStart, '1h');
    let settled = true;
    for (let partition = 0; partition < partitions && settled; partition += 1) {
      if (!rows.has(partition)) settled = complete(hour, partition);
    }
    if (settled) proven.add(candidate.windowStart);
  }
  return proven;
}
