import { MetricsClient, timestamp } from '@pulse/client';
import { proto, SKETCH_METRICS, STREAMS, SUM_METRICS } from '@pulse/contracts';
import { DistinctSketch, EXACT_LIMIT } from '@pulse/sketches';
import {
  createServiceProcess,
  ensureLocalSecrets,
  freePlatformPorts,
  freePort,
  LocalPlatform,
  PrivateNats,
  sharedCassandraEnv,
  workspaceRoot,
  type PlatformSettings,
  type ServiceProcess,
} from '@pulse/testing';

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import cassandra from 'cassandra-driver';

import { referenceRows } from './exactness/reference.js';
import { generateDataset, TENANT_BASE_CURRENCY, type DatasetEvent, type Tenant } from './exactness/shop-dataset.js';

// Issue 4's exactness and chaos test: 200,000+ generated shop events through the real services
// (HTTP → gateway → JetStream → cleaner → aggregator → store → Cassandra) while the aggregator is
// killed (-9) three times, the store once, NATS restarted once and the aggregator rescaled from
// one replica to two; every (tenant, window, dimension, metric) read back from Cassandra must
// equal a reference computed independently from what the shop sent.
const DAY = 86_400_000;
const MINUTE = 60_000;
const TOTAL = 200_000;
const LATE = 150;
const BATCH = 500;
const LANES = 2;
/** Offered load: event time then runs ~50× faster than the wall clock (2 h of shop time in ~2.5 min). */
const EVENTS_PER_SECOND = 2_000;
const PARTITIONS = 4;

const rates = JSON.parse(readFileSync(join(workspaceRoot, 'services/cleaner/rates.local.json'), 'utf8')).rates;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SendResult {
  accepted: Set<number>;
  rejected: Set<number>;
  retriesAfterErrors: number;
}

describe('exactly-once aggregation under chaos (200,000 events, real services)', () => {
  const runDir = join(workspaceRoot, '.run/test/e2e-exactness');
  const tenants = Object.keys(TENANT_BASE_CURRENCY) as Tenant[];
  const secrets = ensureLocalSecrets(runDir, tenants);
  const keyspace = `pulse_exact_${Date.now().toString(36)}`;
  let nats: PrivateNats;
  let platform: LocalPlatform;
  let settings: PlatformSettings;
  let cql: cassandra.Client;
  const log = (line: string) => process.stdout.write(`[exactness] ${line}\n`);
  /** Aggregator replicas started by the rescale (the platform owns the first one). */
  const replicas: ServiceProcess[] = [];

  beforeAll(async () => {
    nats = new PrivateNats(await freePort());
    await nats.start();
    settings = {
      runDir,
      ports: await freePlatformPorts(),
      secrets,
      keyspace,
      partitions: PARTITIONS,
      infraEnv: sharedCassandraEnv(nats.url),
      extraEnv: {
        cleaner: { PULSE_CLEANER_TENANT_BASE_CURRENCIES: 'shop-a:GBP,shop-b:EUR,shop-c:USD' },
        aggregator: {
          // Checkpoints more often than the default, so the kills land between checkpoints that moved.
          PULSE_AGGREGATOR_CHECKPOINT_INTERVAL_MS: '2000',
        },
      },
    };
    platform = new LocalPlatform(settings);
    await platform.start();
    cql = new cassandra.Client({
      contactPoints: [process.env.PULSE_CASSANDRA_CONTACT_POINTS!],
      localDataCenter: process.env.PULSE_CASSANDRA_LOCAL_DC!,
      keyspace,
    });
  }, 300_000);

  afterAll(async () => {
    await cql?.shutdown();
    for (const replica of replicas) await replica.stop();
    await platform?.stop();
    await nats?.destroy();
  }, 120_000);

  /** Posts batches over a few lanes, retrying (same event ids) through outages until accepted. */
  async function send(events: DatasetEvent[], onProgress: (sent: number) => Promise<void>): Promise<SendResult> {
    const url = `http://127.0.0.1:${settings.ports.gatewayHttp}/v1/events`;
    const result: SendResult = { accepted: new Set(), rejected: new Set(), retriesAfterErrors: 0 };
    let next = 0;
    let sent = 0;
    const began = Date.now();
    const lane = async () => {
      while (next < events.length) {
        const from = next;
        next += BATCH;
        const due = began + (from / EVENTS_PER_SECOND) * 1000;
        if (due > Date.now()) await wait(due - Date.now());
        const batch = events.slice(from, from + BATCH);
        // One tenant per request (the key decides the tenant): split the slice by tenant.
        for (const t of tenants) {
          const indexes = batch.map((_, i) => from + i).filter((i) => events[i].truth.tenant === t);
          if (indexes.length === 0) continue;
          const body = JSON.stringify({ events: indexes.map((i) => events[i].raw) });
          for (let attempt = 0; ; attempt += 1) {
            try {
              const response = await fetch(url, {
                method: 'POST',
                headers: { 'content-type': 'application/json', 'x-api-key': secrets.apiKeys[t] },
                body,
                signal: AbortSignal.timeout(30_000),
              });
              if (response.status === 202) {
                const answer = (await response.json()) as { rejected: Array<{ index: number }> };
                const rejected = new Set(answer.rejected.map((r) => indexes[r.index]));
                for (const i of indexes) (rejected.has(i) ? result.rejected : result.accepted).add(i);
                break;
              }
              if (response.status !== 503 && response.status !== 429) {
                throw new Error(`gateway answered ${response.status}: ${await response.text()}`);
              }
              const retryAfter = Number(response.headers.get('retry-after') ?? '1');
              await wait(Math.min(retryAfter, 2) * 1000);
            } catch (error) {
              if ((error as Error).message.startsWith('gateway answered')) throw error;
              await wait(500);
            }
            result.retriesAfterErrors += 1;
            if (attempt > 240) throw new Error(`batch at ${from} for ${t} not accepted after ${attempt} attempts`);
          }
        }
        sent += batch.length;
        await onProgress(sent);
      }
    };
    await Promise.all(Array.from({ length: LANES }, lane));
    return result;
  }

  async function sumsFromCassandra() {
    const merged = new Map<string, { sums: Record<string, number>; sketches: Record<string, DistinctSketch> }>();
    let pageState: string | undefined;
    do {
      const page = await cql.execute('SELECT * FROM series_partials', [], { fetchSize: 5000, pageState });
      for (const row of page.rows) {
        const windowStart = (row.get('window_start') as Date).getTime();
        const key = `${row.get('tenant')}|${row.get('granularity')}|${windowStart}|${row.get('dimension')}`;
        let entry = merged.get(key);
        if (!entry) {
          entry = { sums: {}, sketches: {} };
          merged.set(key, entry);
        }
        for (const metric of SUM_METRICS) entry.sums[metric] = (entry.sums[metric] ?? 0) + Number(row.get(metric) ?? 0);
        for (const metric of SKETCH_METRICS) {
          const bytes = row.get(metric) as Buffer | null;
          const sketch = bytes ? DistinctSketch.decode(bytes) : new DistinctSketch();
          entry.sketches[metric] = entry.sketches[metric] ? entry.sketches[metric].merge(sketch) : sketch;
        }
      }
      pageState = page.pageState ?? undefined;
    } while (pageState);
    return merged;
  }

  async function readStream(stream: string): Promise<Array<Record<string, unknown>>> {
    const nc = await connect({ servers: nats.url });
    try {
      const consumer = await jetstream(nc).consumers.get(stream);
      const out: Array<Record<string, unknown>> = [];
      for (;;) {
        let got = 0;
        for await (const message of await consumer.fetch({ max_messages: 1000, expires: 1_000 })) {
          got += 1;
          out.push(message.json());
        }
        if (got === 0) return out;
      }
    } finally {
      await nc.close();
    }
  }

  it('counts every accepted event exactly once through kills, a NATS restart and a rescale', async () => {
    const today = Math.floor(Date.now() / DAY) * DAY;
    const start = today - 60 * MINUTE; // an hour before UTC midnight to an hour after
    const dataset = generateDataset({ seed: 4242, events: TOTAL, start, spanMs: 120 * MINUTE });
    const events = [...dataset.events, ...dataset.retries.map((i) => dataset.events[i])];
    log(`${dataset.events.length} events (+${dataset.retries.length} client retries), 3 tenants, 3 currencies`);

    const aggregators: ServiceProcess[] = [platform.service('aggregator')];
    const restart = async (service: ServiceProcess, what: string) => {
      await service.kill();
      log(`kill -9 ${what} at ${sentSoFar} events sent`);
      await service.start(120_000);
    };
    let sentSoFar = 0;
    const chaos: Array<[number, () => Promise<void>]> = [
      [0.12, () => restart(aggregators[0], 'aggregator')],
      [0.25, () => restart(platform.service('store'), 'store')],
      [
        0.38,
        async () => {
          await nats.stop();
          log(`NATS stopped at ${sentSoFar} events sent`);
          await wait(3_000);
          await nats.start();
          log('NATS started again');
        },
      ],
      [0.5, () => restart(aggregators[0], 'aggregator')],
      [
        0.62,
        async () => {
          // Rescale 1 → 2: the two new replicas start while the old one still runs, then it drains.
          for (const index of [0, 1]) {
            const replica = createServiceProcess('aggregator', {
              ...settings,
              ports: { ...settings.ports, aggregatorHttp: await freePort() },
              extraEnv: {
                ...settings.extraEnv,
                aggregator: {
                  ...settings.extraEnv?.aggregator,
                  PULSE_AGGREGATOR_REPLICAS: '2',
                  PULSE_AGGREGATOR_REPLICA_INDEX: String(index),
                },
              },
            });
            replicas.push(replica);
            await replica.start(120_000);
            aggregators.push(replica);
          }
          expect(await aggregators[0].stop()).toBe(0);
          log(`rescaled the aggregator from 1 to 2 replicas at ${sentSoFar} events sent`);
        },
      ],
      [0.8, () => restart(aggregators[2], 'aggregator replica 1 of 2')],
    ];
    let nextChaos = 0;
    // One fault at a time, in order, whichever lane crosses the threshold.
    let faults: Promise<void> = Promise.resolve();
    const result = await send(events, async (sent) => {
      sentSoFar = Math.max(sentSoFar, sent);
      faults = faults.then(async () => {
        while (nextChaos < chaos.length && sentSoFar >= chaos[nextChaos][0] * events.length) {
          nextChaos += 1;
          await chaos[nextChaos - 1][1]();
        }
      });
      await faults;
    });
    expect(nextChaos).toBe(chaos.length);

    // Deliberately late: two days behind the stream, sent after it (per-partition watermarks are far ahead).
    const late: DatasetEvent[] = Array.from({ length: LATE }, (_, i) => {
      const truth = { ...dataset.events[i * 7].truth, eventId: `late-${i}`, type: 'page_view' as const };
      truth.occurredAt = start - 2 * DAY + i * 1000;
      return {
        truth,
        raw: {
          event_id: truth.eventId,
          type: 'page_view',
          occurred_at: truth.occurredAt,
          user_id: truth.user,
          session_id: truth.session,
        },
        unusable: false,
      };
    });
    const lateResult = await send(late, async () => undefined);
    expect(lateResult.accepted.size).toBe(LATE);

    // Every unusable event was refused: by the gateway (structure) or by the cleaner (DLQ).
    const unusable = dataset.events.map((e, i) => (e.unusable ? i : -1)).filter((i) => i >= 0);
    const valid = dataset.events.filter((e, i) => !e.unusable && result.accepted.has(i));
    expect(valid.length + unusable.length).toBe(dataset.events.length);

    // Wait until every valid event is either counted (day totals over the store's gRPC) or late.
    let lateRecords: Array<Record<string, unknown>> = [];
    const deadline = Date.now() + 300_000;
    for (const tenant of tenants) {
      const client = new MetricsClient({
        address: `127.0.0.1:${settings.ports.storeGrpc}`,
        apiKey: secrets.apiKeys[tenant],
      });
      const expected = valid.filter((e) => e.truth.tenant === tenant).length;
      for (;;) {
        const series = await client
          .getSeries({
            metric: 'events',
            dimension: 'all',
            granularity: proto.pulse.store.v1.Granularity.GRANULARITY_DAY,
            from: timestamp(start - DAY),
            to: timestamp(start + 2 * DAY),
          })
          .catch(() => undefined);
        const countedSoFar = series?.points.reduce((sum, point) => sum + point.value, 0) ?? 0;
        lateRecords = await readStream(STREAMS.late.name);
        const lateOfTenant = lateRecords.filter((r) => r.tenant === tenant && !String(r.event_id).startsWith('late-'));
        if (countedSoFar + lateOfTenant.length >= expected) break;
        if (Date.now() > deadline) {
          throw new Error(`${tenant}: ${countedSoFar} counted + ${lateOfTenant.length} late of ${expected}`);
        }
        await wait(2_000);
      }
      client.close();
    }
    await wait(3_000); // the last coarse emissions of every partition

    // Late side output: each deliberately late event exactly there; anything else late is excluded
    // from the reference (and must be rare: event time runs ~100x faster than the wall clock here).
    const lateIds = new Set(lateRecords.map((r) => `${r.tenant}:${r.event_id}`));
    expect(lateIds.size).toBe(lateRecords.length);
    for (const event of late) expect(lateIds.has(`${event.truth.tenant}:${event.truth.eventId}`)).toBe(true);
    const counted = valid.filter((e) => !lateIds.has(`${e.truth.tenant}:${e.truth.eventId}`));
    const unexpectedLate = valid.length - counted.length;
    expect(unexpectedLate).toBeLessThan(valid.length * 0.01);

    // The DLQ holds every unusable event the gateway accepted, and nothing else.
    const dlqIds = new Set((await readStream(STREAMS.dlq.name)).map((r) => String(r.event_id)));
    const unusableAccepted = unusable.filter((i) => result.accepted.has(i)).map((i) => dataset.events[i].truth.eventId);
    expect(new Set(unusableAccepted)).toEqual(dlqIds);

    // Every (tenant, granularity, window, dimension, metric) against the reference.
    const reference = referenceRows(
      counted.map((e) => e.truth),
      rates,
    );
    const actual = await sumsFromCassandra();
    const missing = [...reference.keys()].filter((key) => !actual.has(key));
    const extra = [...actual.keys()].filter((key) => !reference.has(key));
    expect({ missing: missing.slice(0, 10), extra: extra.slice(0, 10) }).toEqual({ missing: [], extra: [] });
    const sumMismatches: string[] = [];
    const errors: number[] = [];
    const sketchMismatches: string[] = [];
    for (const [key, expected] of reference) {
      const row = actual.get(key)!;
      for (const metric of SUM_METRICS) {
        const want = expected.sums[metric] ?? 0;
        if (row.sums[metric] !== want) sumMismatches.push(`${key} ${metric}: ${row.sums[metric]} ≠ ${want}`);
      }
      for (const metric of SKETCH_METRICS) {
        const want = expected.distinct[metric]?.size ?? 0;
        const got = row.sketches[metric].count();
        if (want <= EXACT_LIMIT) {
          if (got !== want) sketchMismatches.push(`${key} ${metric}: ${got} ≠ ${want} (exact range)`);
        } else {
          const error = (got - want) / want;
          errors.push(error);
          if (Math.abs(error) > 0.08) sketchMismatches.push(`${key} ${metric}: ${got} vs ${want}`);
        }
      }
    }
    expect(sumMismatches.slice(0, 20)).toEqual([]);
    expect(sketchMismatches.slice(0, 20)).toEqual([]);
    const rms = Math.sqrt(errors.reduce((sum, e) => sum + e * e, 0) / Math.max(errors.length, 1));
    expect(rms).toBeLessThan(0.03);
    log(
      `${reference.size} (tenant, granularity, window, dimension) rows × ${SUM_METRICS.length} sums exact; ` +
        `${errors.length} HLL estimates, rms error ${(rms * 100).toFixed(2)} %; ${unexpectedLate} events late by ` +
        `wall-clock disorder + ${LATE} deliberately late in pulse.late; ${dlqIds.size} in the DLQ, ` +
        `${result.rejected.size} refused by the gateway; ${result.retriesAfterErrors} batch retries`,
    );
    for (const aggregator of aggregators.slice(1)) expect(await aggregator.stop()).toBe(0);
  }, 1_200_000);
});
