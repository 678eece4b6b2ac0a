/**
 * Versioned schema of the store's keyspace. A migration is applied once (recorded in
 * `schema_migrations`) and never edited after release: add a new one instead. Statements name
 * tables without a keyspace: the runner executes them in a session bound to the store's keyspace.
 * Every statement must be safe to run again (IF NOT EXISTS, or an ALTER … WITH that sets a value),
 * because a migration that failed half-way is re-run from its first statement. Tables are designed
 * per query (Cassandra practice), see docs/storage.md.
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
  {
    version: 2,
    description: 'full window partials (remove_from_cart, distinct sketches, closed); dimension_partials by window',
    statements: [
      // ADD IF NOT EXISTS (Cassandra 5.0) adds only the columns that are missing, so a retry after
      // a half-applied migration passes. Column names are written out, not derived from the
      // contract's metric lists: a released migration must not change when the contract grows.
      `ALTER TABLE series_partials ADD IF NOT EXISTS (
         remove_from_cart bigint,
         unique_users blob,
         unique_sessions blob,
         funnel_viewed blob,
         funnel_added blob,
         funnel_checked_out blob,
         funnel_purchased blob,
         closed boolean
       )`,
      // Write timestamps are the partials' versions (clean-stream sequences), not wall-clock
      // microseconds, so TimeWindowCompactionStrategy would file every SSTable under one window
      // (1970-01-01, long past): it would keep merging each new flush into that one ever-growing
      // SSTable and never drop an expired window whole. UCS tiered (T4) keeps write amplification
      // low for this overwrite-heavy table; expired cells leave through ordinary compaction.
      `ALTER TABLE series_partials WITH compaction = {'class': 'UnifiedCompactionStrategy', 'scaling_parameters': 'T4'}`,
      // Breakdowns and top-N: every dimension of one kind in one window is one partition
      // (dimensions of a kind per window are capped by the aggregator, overflow in
      // `<kind>:__other__`, so a partition holds at most cap × P rows). `all` is not stored here.
      `CREATE TABLE IF NOT EXISTS dimension_partials (
         tenant text,
         granularity text,
         kind text,
         window_start timestamp,
         dimension text,
         partition int,
         closed boolean,
         events bigint,
         page_views bigint,
         product_views bigint,
         add_to_cart bigint,
         remove_from_cart bigint,
         checkouts bigint,
         purchases bigint,
         orders bigint,
         units bigint,
         revenue bigint,
         refunds bigint,
         refund_amount bigint,
         unique_users blob,
         unique_sessions blob,
         funnel_viewed blob,
         funnel_added blob,
         funnel_checked_out blob,
         funnel_purchased blob,
         PRIMARY KEY ((tenant, granularity, kind, window_start), dimension, partition)
       ) WITH CLUSTERING ORDER BY (dimension ASC, partition ASC)
         AND compaction = {'class': 'UnifiedCompactionStrategy', 'scaling_parameters': 'T4'}`,
    ],
  },
];
