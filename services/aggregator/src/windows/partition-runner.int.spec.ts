import {
  CONTROL_HEADER,
  LATE_REASON_HEADER,
  STREAMS,
  subjects,
  type CleanEventV1,
  type WindowPartialV1,
} from '@pulse/contracts';
import { decodeJson, encodeJson, JetStreamConnection, StreamSettings, streamSpecs } from '@pulse/messaging';
import { freePort, PrivateNats } from '@pulse/testing';

import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

import { CheckpointStore } from '../checkpoints/checkpoint-store.js';
import { PartitionRunner, type PartitionRunnerOptions } from './partition-runner.js';

// The aggregator shell against a real NATS server of its own (JetStream on): ordered reading from
// a checkpoint, partials and late events published, checkpoints saved, idle markers.
const minute = 60_000;
const t0 = Date.UTC(2026, 10, 24, 10, 0, 0);
const settings = Value.Default(Type.Object(StreamSettings), {}) as never;

let nats: PrivateNats;
let connection: JetStreamConnection;
let checkpoints: CheckpointStore;

beforeAll(async () => {
  nats = new PrivateNats(await freePort());
  await nats.start();
  connection = new JetStreamConnection({
    servers: [nats.url],
    name: 'aggregator-itest',
    streams: streamSpecs(settings, ['clean', 'agg', 'late']),
  });
  await connection.open();
  checkpoints = new CheckpointStore(connection, {
    bucket: 'agg-itest',
    replicas: 1,
    partitions: 16,
    stream: STREAMS.clean.name,
  });
  await checkpoints.open();
}, 30_000);

afterAll(async () => {
  await connection?.close();
  await nats?.destroy();
});

const options: PartitionRunnerOptions = {
  windows: { outOfOrdernessMs: 1_000, allowedLatenessMs: 2 * minute, maxValuesPerKind: 100 },
  pullBatch: 100,
  checkpointIntervalMs: 200,
  coarseEmitIntervalMs: 0,
  idleTimeoutMs: 60_000,
};

let eventCounter = 0;
async function publishEvents(partition: number, count: number, at: (i: number) => number, tenant = 'demo') {
  await Promise.all(
    Array.from({ length: count }, (_, i) => {
      eventCounter += 1;
      const event: CleanEventV1 = {
        v: 1,
        tenant,
        event_id: `e-${eventCounter}`,
        type: 'purchase',
        occurred_at: at(i),
        quantity: 1,
        amount_base_minor: 100,
        order_id: `o-${eventCounter}`,
        partition,
      };
      return connection.js.publish(subjects.clean(partition), encodeJson(event), {
        msgID: `${tenant}:${event.event_id}`,
      });
    }),
  );
}

/** Every message on a subject, read with an ordered consumer until the stream has no more. */
async function readAll(stream: string, subject: string) {
  const consumer = await connection.js.consumers.get(stream, { filter_subjects: [subject] });
  const out: Array<{ data: unknown; headers?: Map<string, string> }> = [];
  for (;;) {
    const batch = await consumer.fetch({ max_messages: 1000, expires: 1_000 });
    let got = 0;
    for await (const message of batch) {
      got += 1;
      const headers = new Map<string, string>();
      for (const [key, values] of message.headers ?? []) headers.set(key, values[0]);
      out.push({ data: decodeJson(message.data), headers });
    }
    if (got === 0) return out;
  }
}

/** What the store would keep per row: the partial with the highest version. */
async function latestPartials(partition: number): Promise<Map<string, WindowPartialV1>> {
  const rows = new Map<string, WindowPartialV1>();
  for (const { data } of await readAll(STREAMS.agg.name, subjects.agg(partition))) {
    const p = data as WindowPartialV1;
    const key = `${p.tenant}|${p.granularity}|${p.window_start}|${p.dimension}`;
    if ((rows.get(key)?.version ?? 0) < p.version) rows.set(key, p);
  }
  return rows;
}

async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function runUntilCaughtUp(runner: PartitionRunner, sequence: () => Promise<number>): Promise<void> {
  const target = await sequence();
  await until(async () => {
    await runner.tick();
    return runner.aggregator.lastSequence >= target;
  });
  await runner.tick();
}

const lastSeq = async () => (await connection.jsm.streams.info(STREAMS.clean.name)).state.last_seq;

describe('PartitionRunner (real NATS)', () => {
  it('publishes full-state partials, checkpoints, and after a graceful restart continues without double counting', async () => {
    await publishEvents(1, 50, (i) => t0 + i * 100);
    const first = new PartitionRunner(1, connection, checkpoints, options);
    await first.start();
    await runUntilCaughtUp(first, lastSeq);
    await first.stop();
    expect((await latestPartials(1)).get(`demo|1m|${t0}|all`)?.metrics).toMatchObject({ events: 50, revenue: 5000 });
    const saved = await checkpoints.load(1);
    expect(saved?.sequence).toBe(await lastSeq());

    await publishEvents(1, 30, (i) => t0 + 10_000 + i * 100);
    const second = new PartitionRunner(1, connection, checkpoints, options);
    await second.start();
    await runUntilCaughtUp(second, lastSeq);
    await second.stop();
    const all = (await latestPartials(1)).get(`demo|1m|${t0}|all`);
    expect(all?.metrics).toMatchObject({ events: 80, purchases: 80, orders: 80, revenue: 8000 });
    expect(all?.version).toBe(await lastSeq());
  }, 60_000);

  it('after a crash (no drain) replays from the last checkpoint to exactly the same totals', async () => {
    await publishEvents(2, 40, (i) => t0 + i * 100);
    const crashed = new PartitionRunner(2, connection, checkpoints, { ...options, checkpointIntervalMs: 60_000 });
    await crashed.start();
    await runUntilCaughtUp(crashed, lastSeq);
    // Saved once (forced) after 40 events, then 25 more folded and emitted but never checkpointed.
    await crashed.tick(true);
    await publishEvents(2, 25, (i) => t0 + 5_000 + i * 100);
    await runUntilCaughtUp(crashed, lastSeq);
    const beforeCrash = (await latestPartials(2)).get(`demo|1h|${t0}|all`);
    expect(beforeCrash?.metrics.events).toBe(65);
    // "kill -9": abandon it without stop(); its timers are the caller's, so nothing else runs.
    expect((await checkpoints.load(2))?.sequence).toBeLessThan(await lastSeq());

    const restarted = new PartitionRunner(2, connection, checkpoints, options);
    await restarted.start();
    await runUntilCaughtUp(restarted, lastSeq);
    await restarted.stop();
    const after = await latestPartials(2);
    expect(after.get(`demo|1h|${t0}|all`)).toEqual(beforeCrash);
    expect(after.get(`demo|1m|${t0}|all`)?.metrics.events).toBe(65);
  }, 60_000);

  it('sends an event past the allowed lateness to pulse.late.<tenant> and does not count it', async () => {
    await publishEvents(3, 1, () => t0, 'acme');
    await publishEvents(3, 1, () => t0 + 10 * minute, 'acme');
    await publishEvents(3, 1, () => t0 + 1_000, 'acme'); // minute 0 closed at watermark 0:03
    const runner = new PartitionRunner(3, connection, checkpoints, options);
    await runner.start();
    await runUntilCaughtUp(runner, lastSeq);
    await runner.stop();
    const late = await readAll(STREAMS.late.name, subjects.late('acme'));
    expect(late).toHaveLength(1);
    expect(late[0].data).toMatchObject({ tenant: 'acme', occurred_at: t0 + 1_000 });
    expect(late[0].headers?.get(LATE_REASON_HEADER)).toBe('beyond_allowed_lateness');
    const minuteRow = (await latestPartials(3)).get(`acme|1m|${t0}|all`);
    expect(minuteRow).toMatchObject({ closed: true, metrics: { events: 1 } });
  }, 60_000);

  it('moves an idle partition on with a watermark marker in the stream, closing its windows', async () => {
    await publishEvents(4, 3, (i) => t0 + i * 1_000);
    let clock = Date.now();
    const runner = new PartitionRunner(4, connection, checkpoints, {
      ...options,
      idleTimeoutMs: 5_000,
      now: () => clock,
    });
    await runner.start();
    await runUntilCaughtUp(runner, lastSeq);
    clock += 4 * minute; // four idle minutes pass on the wall clock
    await runner.checkIdle();
    await runUntilCaughtUp(runner, lastSeq);
    await runner.stop();
    const markers = (await readAll(STREAMS.clean.name, subjects.clean(4))).filter(
      (m) => m.headers?.get(CONTROL_HEADER) === 'watermark',
    );
    expect(markers.map((m) => m.data)).toEqual([{ v: 1, advance_to: t0 + 2_000 + 4 * minute }]);
    expect((await latestPartials(4)).get(`demo|1m|${t0}|all`)).toMatchObject({ closed: true, metrics: { events: 3 } });
  }, 60_000);
});
