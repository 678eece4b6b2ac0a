import { encodeJson, type JetStreamConnection } from '@pulse/messaging';

import { jest } from '@jest/globals';
import { type JsMsg } from '@nats-io/jetstream';
import { ConsoleLogger, Logger } from '@nestjs/common';
import fc from 'fast-check';

import { cleanerTestSettings } from './cleaner-settings.fixture.js';
import { CleaningConsumer } from './cleaning.consumer.js';

// DESIGN.md: "no raw PII reaches the clean stream, the store or the logs". Every personal value is
// generated, sent through the cleaner shell on the clean path, every DLQ path and the redelivery
// and poison paths, and then looked for in everything the cleaner emitted: clean events, DLQ
// messages, errors it threw (the pull consumer logs them) and its own log output.

const settings = cleanerTestSettings({ secret: 'pii-test-secret-0123456789', maxDeliver: 3, rates: { GBP: '1.14' } });

const token = fc.string({ unit: fc.constantFrom(...'abcdefghjkmnpqrstuvwxyz23456789'), minLength: 10, maxLength: 14 });
const personal = fc.record({
  user_id: token.map((t) => `user-${t}`),
  email: token.map((t) => `${t}@example.com`),
  phone: fc.stringMatching(/^\+44 7\d{9}$/),
  name: token.map((t) => `Jane ${t}`),
  address: token.map((t) => `${t} High Street`),
  user_agent: token.map((t) => `Mozilla/5.0 (${t})`),
  ip: fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 255 })).map((o) => o.join('.')),
  attributes: token.map((t) => ({ note: `call ${t}`, gift_for: `Aunt ${t}` })),
  shipping_name: token.map((t) => `J. ${t}`),
});

const now = Date.now();
const shapes = {
  clean: { event_id: 'p-1', type: 'purchase', occurred_at: now - 60_000, price: '12.50', currency: 'GBP', quantity: 2 },
  invalidQuantity: { event_id: 'p-2', type: 'purchase', occurred_at: now - 60_000, price: '1', quantity: -1 },
  unknownType: { event_id: 'p-3', type: 'teleport', occurred_at: now - 60_000 },
  future: { event_id: 'p-4', type: 'page_view', occurred_at: now + 10 * 86_400_000 },
  schemaViolation: { event_id: 'p-5', type: 42, occurred_at: now },
  unknownCurrency: { event_id: 'p-6', type: 'refund', occurred_at: now - 60_000, price: '1', currency: 'EURO' },
};
/**
 * none: clean path; retry: the publish fails on an early delivery; poison: cleaning throws on the
 * last delivery (dead-lettered as max_deliveries_exceeded); dead: that, and every publish fails.
 */
type Failure = 'none' | 'retry' | 'poison' | 'dead';

/** Settings whose use while cleaning throws: the poison path (a failure of the message itself). */
const brokenCleaning = {
  ...settings,
  get rates(): never {
    throw new Error('boom');
  },
} as typeof settings;

describe('no raw PII leaves the cleaner', () => {
  let output: string[];
  let restore: (() => void)[];

  beforeEach(() => {
    output = [];
    const capture = (chunk: unknown) => {
      output.push(String(chunk));
      return true;
    };
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    Logger.overrideLogger(new ConsoleLogger());
    restore = [() => stdout.mockRestore(), () => stderr.mockRestore()];
  });

  afterEach(() => restore.forEach((undo) => undo()));

  it('in clean events, DLQ messages, thrown errors or log lines, on every path', async () => {
    await fc.assert(
      fc.asyncProperty(
        personal,
        fc.constantFrom(...(Object.keys(shapes) as (keyof typeof shapes)[])),
        fc.constantFrom<Failure>('none', 'retry', 'poison', 'dead'),
        async (pii, shape, failure) => {
          output.length = 0;
          const emitted: string[] = [];
          let cleanPublishes = 0;
          const nats = {
            js: {
              publish: async (subject: string, data: Uint8Array) => {
                const failClean = failure === 'retry' && subject.startsWith('pulse.clean.');
                const failAll = failure === 'dead' || (failure === 'retry' && subject.startsWith('pulse.dlq.'));
                if (failClean || failAll) {
                  cleanPublishes += 1;
                  throw new Error('nats: timeout');
                }
                emitted.push(new TextDecoder().decode(data));
                return { seq: 1, duplicate: false };
              },
            },
          } as unknown as JetStreamConnection;
          const deliveryCount = failure === 'retry' ? 1 : 3;
          const message = {
            subject: 'pulse.raw.shop',
            seq: 7,
            data: encodeJson({ ...shapes[shape], ...pii }),
            info: { deliveryCount },
            ack: () => undefined,
          } as unknown as JsMsg;
          try {
            const poisoned = failure === 'poison' || failure === 'dead';
            await new CleaningConsumer(nats, poisoned ? brokenCleaning : settings).handle(message);
          } catch (error) {
            emitted.push(String((error as Error).message), String((error as Error).stack));
          }
          const everything = [...emitted, ...output].join('\n');
          expect(emitted.length + cleanPublishes).toBeGreaterThan(0);
          const values = [
            pii.user_id,
            pii.email,
            pii.phone,
            pii.name,
            pii.address,
            pii.user_agent,
            pii.ip,
            pii.attributes.note,
            pii.attributes.gift_for,
            pii.shipping_name,
          ];
          for (const value of values) expect(everything).not.toContain(value);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('logs what happened without the payload (the poison path does log)', async () => {
    const nats = {
      js: {
        publish: async () => {
          throw new Error('nats: timeout');
        },
      },
    } as unknown as JetStreamConnection;
    const message = {
      subject: 'pulse.raw.shop',
      seq: 8,
      data: encodeJson({ ...shapes.clean, email: 'jane@example.com' }),
      info: { deliveryCount: 3 },
      ack: () => undefined,
    } as unknown as JsMsg;
    await expect(new CleaningConsumer(nats, brokenCleaning).handle(message)).rejects.toThrow();
    const logged = output.join('');
    expect(logged).toContain('pulse.raw.shop#8 (delivery 3 of 3)');
    expect(logged).not.toContain('jane');
  });
});
