import { CleanEventV1Schema, partitionOf } from '@pulse/contracts';
import { type JetStreamConnection } from '@pulse/messaging';

import { type JsMsg } from '@nats-io/jetstream';
import { Logger } from '@nestjs/common';
import { Ajv } from 'ajv';

import { cleanerTestSettings } from './cleaner-settings.fixture.js';
import { CleaningConsumer, type DlqMessage } from './cleaning.consumer.js';
import { type DlqReason } from './dlq-reasons.js';
import { pseudonymize } from './privacy.js';

// Hostile and dirty input, each through the whole cleaner shell (decode → clean → publish → ack)
// with the expected outcome written by hand. Nothing may throw; everything is acked exactly once.

const K1 = { id: 'k1', secret: 'corpus-secret-0123456789' };
const settings = cleanerTestSettings({
  secret: 'corpus-secret-0123456789',
  maxDeliver: 5,
  rates: { GBP: '1.14', USD: '0.867', JPY: '0.00564' },
});

const HOUR_AGO = Date.now() - 3_600_000;
const at = new Date(HOUR_AGO).toISOString();
const view = { event_id: 'c-1', type: 'page_view', occurred_at: at };
const buy = { event_id: 'c-2', type: 'purchase', occurred_at: at, price: '12.50', currency: 'GBP', quantity: 1 };
const key = (userId: string) => pseudonymize('shop', userId, K1);

type Expected = { clean: Record<string, unknown>; absent?: string[] } | { dlq: DlqReason };
interface Case {
  name: string;
  body?: unknown;
  bytes?: Uint8Array;
  expected: Expected;
}

const fieldsJson = (extra: number) =>
  `{"event_id":"c-many","type":"page_view","occurred_at":${HOUR_AGO},${Array.from({ length: extra }, (_, i) => `"f${i}":${i}`).join(',')}}`;
const utf8 = (text: string) => new TextEncoder().encode(text);

const CORPUS: Case[] = [
  { name: 'a minimal page view', body: view, expected: { clean: { type: 'page_view', occurred_at: Date.parse(at) } } },
  {
    name: 'type "Add-To-Cart", quantity "2"',
    body: { ...view, type: 'Add-To-Cart', quantity: '2' },
    expected: { clean: { type: 'add_to_cart', quantity: 2 } },
  },
  { name: 'type as a number', body: { ...view, type: 42 }, expected: { dlq: 'schema_violation' } },
  { name: 'type null', body: { ...view, type: null }, expected: { dlq: 'schema_violation' } },
  { name: 'no event_id', body: { type: 'page_view', occurred_at: at }, expected: { dlq: 'schema_violation' } },
  {
    name: 'event_id of 129 characters',
    body: { ...view, event_id: 'e'.repeat(129) },
    expected: { dlq: 'schema_violation' },
  },
  { name: 'a JSON array', body: [view], expected: { dlq: 'schema_violation' } },
  { name: 'a JSON string', body: 'page_view', expected: { dlq: 'schema_violation' } },
  { name: 'JSON null', body: null, expected: { dlq: 'schema_violation' } },
  { name: 'truncated JSON', bytes: utf8('{"event_id":"c-1","type":'), expected: { dlq: 'invalid_json' } },
  { name: 'invalid UTF-8', bytes: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), expected: { dlq: 'invalid_json' } },
  { name: 'an empty body', bytes: new Uint8Array(), expected: { dlq: 'invalid_json' } },
  {
    name: 'a __proto__ key trying to smuggle a price in',
    bytes: utf8(
      `{"__proto__":{"price":"1","polluted":true},"event_id":"c-p","type":"page_view","occurred_at":${HOUR_AGO}}`,
    ),
    expected: { clean: { type: 'page_view' }, absent: ['price_minor', 'polluted'] },
  },
  {
    name: 'a constructor.prototype key',
    bytes: utf8(
      `{"constructor":{"prototype":{"polluted":true}},"event_id":"c-c","type":"page_view","occurred_at":${HOUR_AGO}}`,
    ),
    expected: { clean: { type: 'page_view' }, absent: ['polluted', 'constructor'] },
  },
  { name: 'type "__proto__"', body: { ...view, type: '__proto__' }, expected: { dlq: 'unknown_type' } },
  { name: 'type "constructor"', body: { ...view, type: 'constructor' }, expected: { dlq: 'unknown_type' } },
  {
    name: 'a 10,000-character category',
    body: { ...view, category: 'x'.repeat(10_000) },
    expected: { dlq: 'schema_violation' },
  },
  {
    name: 'a 1 MB unknown field',
    body: { ...view, blob: 'y'.repeat(1_000_000) },
    expected: { clean: { type: 'page_view' }, absent: ['blob'] },
  },
  { name: '65 fields', bytes: utf8(fieldsJson(62)), expected: { dlq: 'schema_violation' } },
  { name: 'price "NaN"', body: { ...buy, price: 'NaN' }, expected: { dlq: 'invalid_price' } },
  { name: 'price "Infinity"', body: { ...buy, price: 'Infinity' }, expected: { dlq: 'invalid_price' } },
  { name: 'price "-Infinity"', body: { ...buy, price: '-Infinity' }, expected: { dlq: 'invalid_price' } },
  { name: 'price "-0"', body: { ...buy, price: '-0' }, expected: { clean: { price_minor: 0, amount_base_minor: 0 } } },
  { name: 'price "-12.50"', body: { ...buy, price: '-12.50' }, expected: { dlq: 'invalid_price' } },
  { name: 'price 1e21', body: { ...buy, price: 1e21 }, expected: { dlq: 'invalid_price' } },
  { name: 'price as an object', body: { ...buy, price: { amount: 1 } }, expected: { dlq: 'schema_violation' } },
  { name: 'price "1,234" (ambiguous)', body: { ...buy, price: '1,234' }, expected: { dlq: 'invalid_price' } },
  { name: 'quantity "-1"', body: { ...buy, quantity: '-1' }, expected: { dlq: 'invalid_quantity' } },
  { name: 'quantity 1.5', body: { ...buy, quantity: 1.5 }, expected: { dlq: 'invalid_quantity' } },
  { name: 'quantity 0', body: { ...buy, quantity: 0 }, expected: { dlq: 'invalid_quantity' } },
  { name: 'quantity "NaN"', body: { ...buy, quantity: 'NaN' }, expected: { dlq: 'invalid_quantity' } },
  {
    name: 'a refund of -2 units',
    body: { ...buy, type: 'refund', quantity: -2 },
    expected: { dlq: 'invalid_quantity' },
  },
  {
    name: 'a refund of 2 units',
    body: { ...buy, type: 'refund', quantity: 2 },
    expected: { clean: { type: 'refund', quantity: 2, amount_minor: 2500, amount_base_minor: 2850 } },
  },
  {
    name: 'occurred_at in the year 9999',
    body: { ...view, occurred_at: '9999-12-31T23:59:59Z' },
    expected: { dlq: 'timestamp_in_future' },
  },
  {
    name: 'occurred_at two days ahead',
    body: { ...view, occurred_at: Date.now() + 2 * 86_400_000 },
    expected: { dlq: 'timestamp_in_future' },
  },
  { name: 'occurred_at 0', body: { ...view, occurred_at: 0 }, expected: { dlq: 'timestamp_too_old' } },
  {
    name: 'occurred_at the Unix epoch as ISO',
    body: { ...view, occurred_at: '1970-01-01T00:00:00Z' },
    expected: { dlq: 'timestamp_too_old' },
  },
  { name: 'occurred_at -1e20', body: { ...view, occurred_at: -1e20 }, expected: { dlq: 'timestamp_too_old' } },
  {
    name: 'occurred_at "not a date"',
    body: { ...view, occurred_at: 'not a date' },
    expected: { dlq: 'invalid_timestamp' },
  },
  {
    name: 'occurred_at 30 February',
    body: { ...view, occurred_at: '2026-02-30T10:00:00Z' },
    expected: { dlq: 'invalid_timestamp' },
  },
  {
    name: 'occurred_at as an object',
    body: { ...view, occurred_at: { $date: at } },
    expected: { dlq: 'schema_violation' },
  },
  { name: 'currency "EURO"', body: { ...buy, currency: 'EURO' }, expected: { dlq: 'unknown_currency' } },
  { name: 'currency "XAU" (gold)', body: { ...buy, currency: 'XAU' }, expected: { dlq: 'unknown_currency' } },
  { name: 'currency "thb" without a rate', body: { ...buy, currency: 'thb' }, expected: { dlq: 'missing_rate' } },
  {
    name: 'currency " gbp "',
    body: { ...buy, currency: ' gbp ' },
    expected: { clean: { currency: 'GBP', price_minor: 1250, price_base_minor: 1425 } },
  },
  {
    name: 'a purchase without currency',
    body: { ...buy, currency: undefined },
    expected: { clean: { currency: 'EUR', base_currency: 'EUR', amount_base_minor: 1250, imputed: ['currency'] } },
  },
  { name: 'a purchase without price', body: { ...buy, price: undefined }, expected: { dlq: 'missing_price' } },
  { name: 'country "EIRE"', body: { ...view, country: 'EIRE' }, expected: { clean: { country: 'IE' } } },
  { name: 'country "RSA"', body: { ...view, country: 'RSA' }, expected: { clean: { country: 'ZA' } } },
  {
    name: 'country "Channel Islands"',
    body: { ...view, country: 'Channel Islands' },
    expected: { clean: {}, absent: ['country'] },
  },
  {
    name: 'country "European Community"',
    body: { ...view, country: 'European Community' },
    expected: { clean: {}, absent: ['country'] },
  },
  { name: 'country "Atlantis"', body: { ...view, country: 'Atlantis' }, expected: { clean: {}, absent: ['country'] } },
  {
    name: 'float ids from a spreadsheet',
    body: { ...buy, user_id: '17850.0', product_id: 85123.0, order_id: '536365.0' },
    expected: {
      clean: {
        user_key: key('17850'),
        product_id: '85123',
        order_id: '536365',
        partition: partitionOf('shop', '17850', 16),
      },
    },
  },
  {
    name: 'user_id " " and session_id "NaN"',
    body: { ...view, user_id: ' ', session_id: 'NaN' },
    expected: { clean: { partition: partitionOf('shop', 'c-1', 16) }, absent: ['user_key', 'session_id'] },
  },
  {
    name: 'PII everywhere',
    body: {
      ...buy,
      user_id: 'jane.doe',
      email: 'jane@example.com',
      phone: '+44 20 7946 0958',
      name: 'Jane Doe',
      address: '1 High Street, Bath',
      user_agent: 'Mozilla/5.0 (Jane’s iPhone)',
      ip: '203.0.113.77',
      attributes: { note: 'ring jane@example.com', size: 42 },
      shipping_name: 'J. Doe',
    },
    expected: {
      clean: { user_key: key('jane.doe'), ip_prefix: '203.0.113.0/24' },
      absent: ['email', 'phone', 'name', 'address', 'user_agent', 'ip', 'attributes', 'shipping_name', 'user_id'],
    },
  },
  {
    name: 'an e-mail address as product id',
    body: { ...buy, product_id: 'jane@example.com' },
    expected: { clean: { type: 'purchase' }, absent: ['product_id'] },
  },
  { name: 'channel "<script>"', body: { ...view, channel: '<script>' }, expected: { clean: {}, absent: ['channel'] } },
  {
    name: 'control and bidi characters in a category',
    body: { ...buy, category: '\u0000To\u202eys\u0007' },
    expected: { clean: { category: 'toys' } },
  },
  {
    name: 'attributes with a nested object',
    body: { ...view, attributes: { deep: { deeper: 1 } } },
    expected: { dlq: 'schema_violation' },
  },
  {
    name: 'a German-formatted price with quantity "2.0"',
    body: { ...buy, type: 'PURCHASE', price: '1.234,50', currency: 'EUR', quantity: '2.0' },
    expected: { clean: { price_minor: 123450, amount_minor: 246900, amount_base_minor: 246900 } },
  },
  {
    name: 'an IPv4-mapped IPv6 address',
    body: { ...view, ip: '::ffff:10.0.0.1' },
    expected: { clean: { ip_prefix: '10.0.0.0/24' } },
  },
  {
    name: 'an IP that is not an address',
    body: { ...view, ip: 'not-an-ip' },
    expected: { clean: {}, absent: ['ip_prefix'] },
  },
];

const validateClean = new Ajv({ strict: false }).compile(CleanEventV1Schema);

function fakeNats() {
  const published: { subject: string; body: unknown }[] = [];
  const nats = {
    js: {
      publish: async (subject: string, data: Uint8Array) => {
        published.push({ subject, body: JSON.parse(new TextDecoder().decode(data)) });
        return { seq: published.length, duplicate: false };
      },
    },
  };
  return { nats: nats as unknown as JetStreamConnection, published };
}

function message(testCase: Case, seq: number) {
  const acks: number[] = [];
  const bytes = testCase.bytes ?? new TextEncoder().encode(JSON.stringify(testCase.body));
  const raw = { subject: 'pulse.raw.shop', seq, data: bytes, info: { deliveryCount: 1 }, ack: () => acks.push(seq) };
  return { raw: raw as unknown as JsMsg, acks };
}

describe('the cleaner on a hostile, dirty corpus', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new Logger()));

  it('has at least 40 cases', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CORPUS.map((testCase, index) => [testCase.name, testCase, index] as const))(
    '%s',
    async (_name, testCase, index) => {
      const { nats, published } = fakeNats();
      const { raw, acks } = message(testCase, index + 1);
      await expect(new CleaningConsumer(nats, settings).handle(raw)).resolves.toBeUndefined();
      expect(acks).toEqual([index + 1]);
      expect(published).toHaveLength(1);
      const [{ subject, body }] = published;
      if ('dlq' in testCase.expected) {
        expect(subject).toBe('pulse.dlq.shop');
        expect((body as DlqMessage).reason).toBe(testCase.expected.dlq);
        return;
      }
      expect(subject).toMatch(/^pulse\.clean\.\d+$/);
      expect(body).toMatchObject({ v: 1, tenant: 'shop', ...testCase.expected.clean });
      for (const field of testCase.expected.absent ?? []) expect(Object.keys(body as object)).not.toContain(field);
      expect(validateClean(body)).toBe(true);
    },
  );

  it('left Object.prototype untouched', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).price).toBeUndefined();
  });
});
