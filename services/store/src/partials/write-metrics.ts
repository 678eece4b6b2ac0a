import { metrics } from '@opentelemetry/api';

const meter = metrics.getMeter('pulse-store');

/** One Cassandra write is ~1–10 ms on a healthy cluster; the driver's timeout is 12 s. */
const WRITE_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 12];
/** Seconds: a live row is visible within a few seconds of its newest event; minutes mean a backlog. */
const FRESHNESS_BUCKETS_S = [0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 120, 300, 600, 1800, 3600];

const writeDuration = meter.createHistogram('pulse.store.cassandra.write.duration', {
  description: 'Latency of each Cassandra write statement of the partials write path, by table and outcome.',
  unit: 's',
  advice: { explicitBucketBoundaries: WRITE_BUCKETS_S },
});
const freshness = meter.createHistogram('pulse.store.freshness', {
  description:
    "Wall time when Cassandra acknowledged a window row's write minus the newest event time in that row, for partials that made new events visible.",
  unit: 's',
  advice: { explicitBucketBoundaries: FRESHNESS_BUCKETS_S },
});
const partials = meter.createCounter('pulse.store.partials', {
  description:
    'Partials read from pulse.agg, by outcome: stored (written or already covered), malformed (terminated), failed (retried).',
  unit: '{partial}',
});

/** Runs one write statement and records its latency under `table`, ok or error. */
export async function timedWrite<T>(table: string, write: () => Promise<T>): Promise<T> {
  const started = performance.now();
  let outcome = 'error';
  try {
    const result = await write();
    outcome = 'ok';
    return result;
  } finally {
    writeDuration.record((performance.now() - started) / 1_000, { table, outcome });
  }
}

export function recordFreshness(visibleAt: number, newestEventAt: number): void {
  freshness.record(Math.max(0, visibleAt - newestEventAt) / 1_000);
}

export function countPartial(outcome: 'stored' | 'malformed' | 'failed'): void {
  partials.add(1, { outcome });
}
