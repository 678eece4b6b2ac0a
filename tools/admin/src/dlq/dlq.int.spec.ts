import { STREAMS, subjects } from '@pulse/contracts';
import { encodeJson, ensureStreams, streamSpecs } from '@pulse/messaging';
import { freePort, PrivateNats } from '@pulse/testing';

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

import { planReplay } from './dlq-replay-plan.js';
import { replayDeadLetters } from './dlq-replayer.js';
import { readDeadLetters } from './dlq-store.js';

// Real NATS of its own: the DLQ and raw streams as the services provision them.
describe('replay-dlq (real NATS)', () => {
  let nats: PrivateNats;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = new PrivateNats(await freePort());
    await nats.start();
    nc = await connect({ servers: nats.url });
    const settings = {
      PULSE_STREAM_REPLICAS: 1,
      PULSE_STREAM_MAX_AGE_HOURS: 1,
      PULSE_STREAM_MAX_BYTES: 64 * 1024 * 1024,
      PULSE_STREAM_DUPLICATE_WINDOW_SECONDS: 600,
      PULSE_STREAM_DISCARD: 'new' as const,
    };
    await ensureStreams(await jetstreamManager(nc), streamSpecs(settings, ['raw', 'dlq']));
  }, 30_000);

  afterAll(async () => {
    await nc?.close();
    await nats?.destroy();
  });

  it('exports dead letters, replays the fixed events into pulse.raw, removes the letters, and is idempotent', async () => {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const letter = (eventId: string, fields: Record<string, unknown>) =>
      encodeJson({
        v: 1,
        reason: 'invalid_price',
        detail: 'price is not a decimal amount',
        event_id: eventId,
        tenant: 'shop',
        raw_seq: 1,
        payload: { fields, redacted: ['user_id'] },
      });
    await js.publish(
      subjects.dlq('shop'),
      letter('e-1', { event_id: 'e-1', type: 'purchase', occurred_at: '2026-11-24T10:00:00Z', price: 'twelve' }),
      { msgID: 'shop:e-1' },
    );
    await js.publish(
      subjects.dlq('shop'),
      letter('e-2', { event_id: 'e-2', type: 'purchase', occurred_at: '2026-11-24T10:01:00Z', price: '1O.00' }),
      { msgID: 'shop:e-2' },
    );
    await js.publish(subjects.dlq('other'), letter('x-1', { event_id: 'x-1', type: 'purchase', occurred_at: 1 }), {
      msgID: 'other:x-1',
    });

    const letters = await readDeadLetters(js, jsm, 'shop');
    expect(letters.map((l) => [l.event_id, l.reason])).toEqual([
      ['e-1', 'invalid_price'],
      ['e-2', 'invalid_price'],
    ]);

    // The operator fixes the prices in the exported lines.
    const fixedFile = letters
      .map((l) =>
        JSON.stringify({
          dlq_seq: l.seq,
          event: { ...l.payload?.fields, price: l.event_id === 'e-1' ? '12.00' : '10.00' },
        }),
      )
      .join('\n');
    const plans = planReplay('shop', fixedFile);
    const first = await replayDeadLetters(js, jsm, 'shop', plans, false);
    expect(first).toEqual({ replayed: 2, alreadyReplayed: 0, invalid: [], failed: [] });

    const raw = await jsm.streams.info(STREAMS.raw.name, { subjects_filter: 'pulse.raw.shop' });
    expect(raw.state.subjects?.['pulse.raw.shop']).toBe(2);
    expect(await readDeadLetters(js, jsm, 'shop')).toEqual([]);
    expect((await readDeadLetters(js, jsm, 'other')).length).toBe(1);

    // Running the same file again publishes nothing new.
    const again = await replayDeadLetters(js, jsm, 'shop', plans, false);
    expect(again).toEqual({ replayed: 0, alreadyReplayed: 2, invalid: [], failed: [] });
    const rawAgain = await jsm.streams.info(STREAMS.raw.name, { subjects_filter: 'pulse.raw.shop' });
    expect(rawAgain.state.subjects?.['pulse.raw.shop']).toBe(2);
  });

  it('publishes nothing for a dry run or an invalid line', async () => {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const before = (await jsm.streams.info(STREAMS.raw.name)).state.messages;
    const plans = planReplay(
      'shop',
      `${JSON.stringify({ dlq_seq: 99, event: { event_id: 'e-9', type: 'page_view', occurred_at: 1 } })}\n{"dlq_seq": 100}\n`,
    );
    expect(await replayDeadLetters(js, jsm, 'shop', plans, true)).toMatchObject({
      replayed: 1,
      invalid: [{ line: 2 }],
    });
    expect((await jsm.streams.info(STREAMS.raw.name)).state.messages).toBe(before);
  });
});
