import { partitionOf } from '@pulse/contracts';
import { encodeJson, type JetStreamConnection } from '@pulse/messaging';

import { jest } from '@jest/globals';
import { type JsMsg } from '@nats-io/jetstream';
import { Logger } from '@nestjs/common';

import { cleanerTestSettings } from './cleaner-settings.fixture.js';
import { CleaningConsumer, type DlqMessage } from './cleaning.consumer.js';

// The shell with its two ports faked: NATS publish and the raw message (ack). Real NATS runs it
// in the e2e suite; these pin the ordering and the DLQ contract deterministically.

const settings = cleanerTestSettings({ secret: 'test-secret-0123456789', maxDeliver: 3, rates: { GBP: '1.14' } });

interface Published {
  subject: string;
  body: unknown;
  msgID?: string;
}

function fakeNats(publish: (subject: string) => Promise<void> = async () => undefined) {
  const published: Published[] = [];
  const nats = {
    js: {
      publish: async (subject: string, data: Uint8Array, options?: { msgID?: string }) => {
        await publish(subject);
        published.push({ subject, body: JSON.parse(new TextDecoder().decode(data)), msgID: options?.msgID });
        return { seq: published.length, duplicate: false };
      },
    },
  };
  return { nats: nats as unknown as JetStreamConnection, published };
}

function rawMessage(body: unknown, options: { deliveryCount?: number; seq?: number; bytes?: Uint8Array } = {}) {
  const ack = jest.fn();
  const message = {
    subject: 'pulse.raw.demo',
    seq: options.seq ?? 41,
    data: options.bytes ?? encodeJson(body),
    info: { deliveryCount: options.deliveryCount ?? 1 },
    ack,
    nak: jest.fn(),
  };
  return { message: message as unknown as JsMsg, ack };
}

const event = {
  event_id: 'e-1',
  type: 'purchase',
  occurred_at: Date.now() - 60_000,
  user_id: 'u-991',
  price: '12.50',
  currency: 'GBP',
  email: 'jane@example.com',
};

describe('CleaningConsumer.handle', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('publishes the clean event on its partition with msg id <tenant>:<event_id>, and acks only after', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { nats, published } = fakeNats(() => gate);
    const { message, ack } = rawMessage(event);
    const handling = new CleaningConsumer(nats, settings).handle(message);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ack).not.toHaveBeenCalled();
    release();
    await handling;
    expect(ack).toHaveBeenCalledTimes(1);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      subject: `pulse.clean.${partitionOf('demo', 'u-991', 16)}`,
      msgID: 'demo:e-1',
      body: { type: 'purchase', price_minor: 1250, price_base_minor: 1425, amount_base_minor: 1425 },
    });
  });

  it('dead-letters an unusable event with reason, detail, ids, sequence and a scrubbed payload, then acks', async () => {
    const { nats, published } = fakeNats();
    const { message, ack } = rawMessage({ ...event, quantity: '1.5' }, { seq: 77 });
    await new CleaningConsumer(nats, settings).handle(message);
    expect(ack).toHaveBeenCalledTimes(1);
    expect(published).toHaveLength(1);
    const dlq = published[0].body as DlqMessage;
    expect(published[0]).toMatchObject({ subject: 'pulse.dlq.demo', msgID: 'demo:e-1' });
    expect(dlq).toEqual({
      v: 1,
      reason: 'invalid_quantity',
      detail: expect.stringContaining('"1.5"'),
      event_id: 'e-1',
      tenant: 'demo',
      raw_seq: 77,
      payload: {
        fields: {
          event_id: 'e-1',
          type: 'purchase',
          occurred_at: event.occurred_at,
          price: '12.50',
          currency: 'GBP',
          quantity: '1.5',
        },
        user_key: expect.stringMatching(/^k1:[0-9a-f]{32}$/),
        redacted: ['user_id', 'email'],
        unknown_fields: 0,
      },
    });
  });

  it('cleaning.md row 54: a body that is not JSON is dead-lettered as invalid_json without any of its bytes', async () => {
    const { nats, published } = fakeNats();
    const bytes = new TextEncoder().encode('{"email": "jane@example.com", oops');
    const { message, ack } = rawMessage(undefined, { bytes, seq: 5 });
    await new CleaningConsumer(nats, settings).handle(message);
    expect(ack).toHaveBeenCalledTimes(1);
    expect(published[0]).toMatchObject({
      subject: 'pulse.dlq.demo',
      msgID: 'demo:seq-5',
      body: { reason: 'invalid_json', event_id: 'seq-5', raw_seq: 5, payload: null },
    });
    expect(JSON.stringify(published)).not.toContain('jane');
  });

  it('throws (so the message is redelivered) while a publish fails, without acking', async () => {
    const { nats, published } = fakeNats(async () => {
      throw new Error('503 no responders');
    });
    const { message, ack } = rawMessage(event, { deliveryCount: 2 });
    await expect(new CleaningConsumer(nats, settings).handle(message)).rejects.toThrow(
      'publish failed for pulse.raw.demo#41 (delivery 2): 503 no responders',
    );
    expect(ack).not.toHaveBeenCalled();
    expect(published).toHaveLength(0);
  });

  it('never dead-letters an event because NATS refused the publish, however many deliveries it took', async () => {
    const { nats, published } = fakeNats(async (subject) => {
      if (subject.startsWith('pulse.clean.')) throw new Error('jetstream is not enabled');
    });
    for (const deliveryCount of [3, 4, 50]) {
      const { message, ack } = rawMessage(event, { deliveryCount, seq: 9 });
      await expect(new CleaningConsumer(nats, settings).handle(message)).rejects.toThrow(
        `publish failed for pulse.raw.demo#9 (delivery ${deliveryCount}): jetstream is not enabled`,
      );
      expect(ack).not.toHaveBeenCalled();
    }
    expect(published).toHaveLength(0);
  });

  /** Settings whose use while cleaning throws: a cleaning failure of this one message. */
  const brokenCleaning = {
    ...settings,
    get rates(): never {
      throw new Error('boom');
    },
  } as typeof settings;

  it('cleaning.md row 56: a message whose cleaning fails on every delivery is dead-lettered as max_deliveries_exceeded on the last and acked', async () => {
    const { nats, published } = fakeNats();
    const early = rawMessage(event, { deliveryCount: 2, seq: 9 });
    await expect(new CleaningConsumer(nats, brokenCleaning).handle(early.message)).rejects.toThrow(
      'clean failed for pulse.raw.demo#9 (delivery 2 of 3): Error while cleaning',
    );
    expect(published).toHaveLength(0);
    const { message, ack } = rawMessage(event, { deliveryCount: 3, seq: 9 });
    await new CleaningConsumer(nats, brokenCleaning).handle(message);
    expect(ack).toHaveBeenCalledTimes(1);
    expect(published).toEqual([
      {
        subject: 'pulse.dlq.demo',
        msgID: 'demo:e-1',
        body: expect.objectContaining({
          reason: 'max_deliveries_exceeded',
          detail: 'clean: Error while cleaning',
          event_id: 'e-1',
          raw_seq: 9,
          payload: expect.objectContaining({ redacted: ['user_id', 'email'] }),
        }),
      },
    ]);
  });

  it('leaves the message unacked (to be redelivered) when the last-delivery DLQ publish fails', async () => {
    const { nats } = fakeNats(async () => {
      throw new Error('down');
    });
    const { message, ack } = rawMessage(event, { deliveryCount: 3 });
    await expect(new CleaningConsumer(nats, brokenCleaning).handle(message)).rejects.toThrow('down');
    expect(ack).not.toHaveBeenCalled();
  });

  it('replaces an event id that could not be a header value by the stream sequence', async () => {
    const { nats, published } = fakeNats();
    const { message } = rawMessage({ ...event, event_id: 'e\r\n1', type: 'teleport' }, { seq: 12 });
    await new CleaningConsumer(nats, settings).handle(message);
    expect(published[0]).toMatchObject({ msgID: 'demo:seq-12', body: { reason: 'unknown_type', event_id: 'seq-12' } });
  });

  it('converts to the tenant’s own base currency when it has one', async () => {
    const { nats, published } = fakeNats();
    const perTenant = { ...settings, tenantBaseCurrencies: new Map([['demo', 'GBP']]) };
    const { message } = rawMessage({ ...event, currency: 'GBP' });
    await new CleaningConsumer(nats, perTenant).handle(message);
    expect(published[0].body).toMatchObject({ base_currency: 'GBP', price_base_minor: 1250 });
  });
});
