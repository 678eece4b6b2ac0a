import { nanos } from '@nats-io/transport-node';

import { JetStreamConnection } from './jetstream-connection.js';
import { decodeJson, encodeJson } from './message-codec.js';
import { PullConsumer } from './pull-consumer.js';
import { type StreamSpec } from './stream-specs.js';

// Real NATS with JetStream (started by the Jest global setup). Each test uses its own stream.
const natsUrl = () => process.env.PULSE_NATS_URL ?? 'nats://127.0.0.1:14222';
const unique = () => `T${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`.toUpperCase();

function spec(name: string, overrides: Partial<StreamSpec> = {}): StreamSpec {
  return {
    name,
    subjects: [`itest.${name.toLowerCase()}.>`],
    replicas: 1,
    maxAgeMs: 3_600_000,
    maxBytes: 64 * 1024 * 1024,
    duplicateWindowMs: 120_000,
    discard: 'new',
    allowBatched: false,
    ...overrides,
  };
}

async function openConnection(streams: StreamSpec[]): Promise<JetStreamConnection> {
  const connection = new JetStreamConnection({ servers: [natsUrl()], name: 'messaging-itest', streams });
  await connection.open();
  return connection;
}

describe('JetStreamConnection stream provisioning (real NATS)', () => {
  it('creates a missing stream and updates its limits in place on the next start', async () => {
    const name = unique();
    const first = await openConnection([spec(name)]);
    await first.close();
    const second = await openConnection([
      spec(name, { duplicateWindowMs: 600_000, maxBytes: 32 * 1024 * 1024, discard: 'old' }),
    ]);
    const info = await second.jsm.streams.info(name);
    expect(info.config.duplicate_window).toBe(nanos(600_000));
    expect(info.config.max_bytes).toBe(32 * 1024 * 1024);
    expect(info.config.discard).toBe('old');
    await second.jsm.streams.delete(name);
    await second.close();
  });

  it('deduplicates a publish retried with the same Nats-Msg-Id', async () => {
    const name = unique();
    const connection = await openConnection([spec(name)]);
    const subject = `itest.${name.toLowerCase()}.demo`;
    const first = await connection.js.publish(subject, encodeJson({ n: 1 }), { msgID: 'demo:e-1' });
    const retry = await connection.js.publish(subject, encodeJson({ n: 1 }), { msgID: 'demo:e-1' });
    expect(first.duplicate).toBe(false);
    expect(retry.duplicate).toBe(true);
    expect(retry.seq).toBe(first.seq);
    expect((await connection.jsm.streams.info(name)).state.messages).toBe(1);
    await connection.jsm.streams.delete(name);
    await connection.close();
  });
});

describe('PullConsumer (real NATS)', () => {
  it('redelivers a message whose handler failed, and stop() waits for handlers in flight', async () => {
    const name = unique();
    const connection = await openConnection([spec(name)]);
    const subject = `itest.${name.toLowerCase()}.x`;
    for (let i = 0; i < 20; i += 1) await connection.js.publish(subject, encodeJson({ i }), { msgID: `m-${i}` });

    const seen = new Map<number, number>();
    let failedOnce = false;
    let finishedHandlers = 0;
    const consumer = new PullConsumer(connection, {
      stream: name,
      durable: 'itest',
      filterSubjects: [`itest.${name.toLowerCase()}.>`],
      maxInFlight: 4,
      ackWaitMs: 5_000,
      maxDeliver: 5,
    });
    await consumer.start(async (message) => {
      const { i } = decodeJson(message.data) as { i: number };
      seen.set(i, (seen.get(i) ?? 0) + 1);
      if (i === 7 && !failedOnce) {
        failedOnce = true;
        throw new Error('transient');
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      message.ack();
      finishedHandlers += 1;
    });
    const deadline = Date.now() + 15_000;
    while (finishedHandlers < 20 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await consumer.stop();

    expect(finishedHandlers).toBe(20);
    expect(seen.get(7)).toBe(2);
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    const info = await connection.jsm.consumers.info(name, 'itest');
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
    await connection.jsm.streams.delete(name);
    await connection.close();
  });
});
