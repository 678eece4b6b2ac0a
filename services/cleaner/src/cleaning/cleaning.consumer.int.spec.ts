import { STREAMS } from '@pulse/contracts';
import { encodeJson, ensureStreams, JetStreamConnection, streamSpecs } from '@pulse/messaging';
import { freePort, PrivateNats } from '@pulse/testing';

import { cleanerTestSettings } from './cleaner-settings.fixture.js';
import { CleaningConsumer } from './cleaning.consumer.js';

// Real NATS: while the clean stream cannot take a publish (here: it does not exist, so every
// publish to pulse.clean.* is refused at once), the cleaner keeps the raw events unacked and
// redelivers them with backoff — past PULSE_CLEANER_MAX_DELIVER — instead of dead-lettering them.
// When the stream is back, every event arrives clean and the DLQ stays empty.

const STREAM_SETTINGS = {
  PULSE_STREAM_REPLICAS: 1,
  PULSE_STREAM_MAX_AGE_HOURS: 1,
  PULSE_STREAM_MAX_BYTES: -1,
  PULSE_STREAM_DISCARD: 'new' as const,
  PULSE_STREAM_DUPLICATE_WINDOW_SECONDS: 60,
};
const specs = streamSpecs(STREAM_SETTINGS, ['raw', 'clean', 'dlq']);

describe('cleaner on real NATS: an unavailable clean stream is waited out, not dead-lettered', () => {
  let nats: PrivateNats;
  let connection: JetStreamConnection;
  let consumer: CleaningConsumer | undefined;

  beforeAll(async () => {
    nats = new PrivateNats(await freePort());
    await nats.start();
    connection = new JetStreamConnection({ servers: [nats.url], name: 'cleaner-int', streams: specs });
    await connection.open();
  });

  afterAll(async () => {
    await consumer?.onModuleDestroy();
    await connection?.close();
    await nats?.stop();
  });

  const count = async (stream: string) => (await connection.jsm.streams.info(stream)).state.messages;
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  it('redelivers past the delivery limit while publishes fail, then delivers every event once', async () => {
    await connection.jsm.streams.delete(STREAMS.clean.name);
    // A limit of 2 deliveries: the old behaviour dead-lettered these events after ~1 s.
    const settings = cleanerTestSettings({ secret: 'int-secret-0123456789', maxDeliver: 2, rates: { GBP: '1.14' } });
    consumer = new CleaningConsumer(connection, settings);
    await consumer.onApplicationBootstrap();
    const now = Date.now();
    for (let i = 0; i < 3; i += 1) {
      const event = { event_id: `e-${i}`, type: 'page_view', occurred_at: now - 1_000, user_id: `u-${i}` };
      await connection.js.publish('pulse.raw.demo', encodeJson(event), { msgID: `demo:e-${i}` });
    }

    // Deliveries 1–4 of each event happen at ~0, 1, 3 and 7 s (backoff 1 s doubling).
    const info = () => connection.jsm.consumers.info(STREAMS.raw.name, 'cleaner');
    await until(
      'a fourth delivery',
      async () => (await info()).num_redelivered > 0 && (await info()).delivered.consumer_seq >= 12,
      30_000,
    );
    expect(await count(STREAMS.dlq.name)).toBe(0);
    expect((await info()).num_ack_pending).toBe(3);

    await ensureStreams(connection.jsm, specs);
    await until('the three clean events', async () => (await count(STREAMS.clean.name)) === 3, 45_000);
    await until('every raw event acked', async () => (await info()).num_ack_pending === 0, 10_000);
    expect(await count(STREAMS.dlq.name)).toBe(0);
  }, 120_000);
});
