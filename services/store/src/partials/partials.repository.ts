import { GRANULARITIES, SUM_METRICS, type Granularity, type WindowPartialV1 } from '@pulse/contracts';

import { Inject, Injectable } from '@nestjs/common';

import { CassandraClient } from '../cassandra/cassandra.client.js';
import { bucketOf, bucketsBetween, ttlSeconds } from '../schema/buckets.js';
import { STORE_CONFIG, type StoreConfig } from '../store.config.js';

const COLUMNS = SUM_METRICS.join(', ');
const PLACEHOLDERS = SUM_METRICS.map(() => '?').join(', ');

export interface SeriesPoint {
  windowStart: number;
  value: number;
}

@Injectable()
export class PartialsRepository {
  constructor(
    private readonly cassandra: CassandraClient,
    @Inject(STORE_CONFIG) private readonly config: StoreConfig,
  ) {}

  /**
   * Upserts one full-state partial with its version as the write timestamp: Cassandra keeps the
   * cell with the highest timestamp, so an older partial arriving late can never overwrite a
   * newer one, and a redelivered one rewrites identical values.
   */
  async upsert(partial: WindowPartialV1): Promise<void> {
    const granularity = partial.granularity;
    await this.cassandra.session.execute(
      `INSERT INTO series_partials (tenant, granularity, dimension, bucket, window_start, partition, ${COLUMNS})
       VALUES (?, ?, ?, ?, ?, ?, ${PLACEHOLDERS}) USING TIMESTAMP ? AND TTL ?`,
      [
        partial.tenant,
        granularity,
        partial.dimension,
        bucketOf(partial.window_start, granularity),
        new Date(partial.window_start),
        partial.partition,
        ...SUM_METRICS.map((metric) => partial.metrics[metric] ?? 0),
        partial.version,
        ttlSeconds(granularity, this.config.PULSE_STORE_MINUTE_TTL_DAYS),
      ],
      { prepare: true, isIdempotent: true },
    );
  }

  /** One metric of one series over [from, to), partition partials summed per window. */
  async series(
    tenant: string,
    granularity: Granularity,
    dimension: string,
    metric: (typeof SUM_METRICS)[number],
    from: number,
    to: number,
  ): Promise<SeriesPoint[]> {
    const size = GRANULARITIES[granularity];
    const alignedFrom = Math.floor(from / size) * size;
    const totals = new Map<number, number>();
    const buckets = bucketsBetween(alignedFrom, to, granularity);
    await Promise.all(
      buckets.map(async (bucket) => {
        let pageState: string | undefined;
        do {
          const result = await this.cassandra.session.execute(
            `SELECT window_start, ${metric} FROM series_partials
             WHERE tenant = ? AND granularity = ? AND dimension = ? AND bucket = ? AND window_start >= ? AND window_start < ?`,
            [tenant, granularity, dimension, bucket, new Date(alignedFrom), new Date(to)],
            { prepare: true, fetchSize: 5000, pageState },
          );
          for (const row of result.rows) {
            const start = (row.get('window_start') as Date).getTime();
            totals.set(start, (totals.get(start) ?? 0) + Number(row.get(metric) ?? 0));
          }
          pageState = result.pageState ?? undefined;
        } while (pageState);
      }),
    );
    return [...totals.entries()].sort(([a], [b]) => a - b).map(([windowStart, value]) => ({ windowStart, value }));
  }
}
