/**
 * Versioned schema of the store's keyspace. A migration is applied once (recorded in
 * `schema_migrations`) and never edited after release: add a new one instead. Tables are designed
 * per query (Cassandra practice), see docs/architecture.md.
 */
export interface Migration {
  version: number;
  description: string;
  statements: string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'window partials by series',
    statements: [
      // One row per (window, partition) of a series; a query for a range of one series reads one
      // or a few partitions (bucketed by time so a partition stays bounded: ≤ 1440 windows × P
      // rows per day at 1-minute granularity) and sums partitions at read time.
      `CREATE TABLE IF NOT EXISTS series_partials (
         tenant text,
         granularity text,
         dimension text,
         bucket int,
         window_start timestamp,
         partition int,
         events bigint,
         page_views bigint,
         product_views bigint,
         add_to_cart bigint,
         checkouts bigint,
         purchases bigint,
         orders bigint,
         units bigint,
         revenue bigint,
         refunds bigint,
         refund_amount bigint,
         PRIMARY KEY ((tenant, granularity, dimension, bucket), window_start, partition)
       ) WITH CLUSTERING ORDER BY (window_start ASC, partition ASC)
         AND compaction = {'class': 'TimeWindowCompactionStrategy', 'compaction_window_unit': 'DAYS', 'compaction_window_size': 1}`,
    ],
  },
];
