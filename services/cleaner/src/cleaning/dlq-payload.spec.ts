import fc from 'fast-check';

import { PII_FIELDS, scrubForDlq } from './dlq-payload.js';

const userKey = (userId: string) => `k1:pseudonym-of-${userId.length}-chars`;

describe('scrubForDlq', () => {
  it('cleaning.md row 52: keeps non-personal contract fields as sent and replaces personal ones', () => {
    const payload = scrubForDlq(
      {
        event_id: 'e-1',
        type: 'Purchase',
        occurred_at: 'soon',
        price: '12,3,4',
        currency: 'gbp',
        quantity: -1,
        country: 'EIRE',
        user_id: 'u-991',
        email: 'jane@example.com',
        phone: '+44 20 7946 0958',
        name: 'Jane Doe',
        address: '1 High Street',
        user_agent: 'Mozilla/5.0',
        ip: '203.0.113.77',
        attributes: { note: 'call Jane on 07700 900123' },
        loyalty_card: '6338-1234-5678',
      },
      { userKey },
    );
    expect(payload).toEqual({
      fields: {
        event_id: 'e-1',
        type: 'Purchase',
        occurred_at: 'soon',
        price: '12,3,4',
        currency: 'gbp',
        quantity: -1,
        country: 'EIRE',
      },
      user_key: 'k1:pseudonym-of-5-chars',
      ip_prefix: '203.0.113.0/24',
      redacted: ['user_id', 'email', 'phone', 'name', 'address', 'user_agent', 'ip', 'attributes'],
      unknown_fields: 1,
    });
  });

  it('keeps the type of a kept field that is not a JSON primitive, not its content', () => {
    const payload = scrubForDlq({ event_id: 'e', price: { amount: 'jane@example.com' }, type: ['purchase'] });
    expect(payload.fields).toEqual({ event_id: 'e', price: { $type: 'object' }, type: { $type: 'array' } });
  });

  it('cuts long values and redacts e-mail-shaped values even in kept fields', () => {
    const payload = scrubForDlq({ category: 'x'.repeat(10_000), product_id: 'jane@example.com' });
    expect(payload.fields.category).toHaveLength(257);
    expect(payload.fields.product_id).toBe('[redacted: e-mail shaped]');
  });

  it('names nothing the sender chose: unknown keys are only counted', () => {
    const payload = scrubForDlq(
      JSON.parse('{"__proto__":{"x":1},"constructor":"c","jane@example.com":"k","type":"t"}'),
    );
    expect(payload).toEqual({ fields: { type: 't' }, redacted: [], unknown_fields: 3 });
    expect(Object.getPrototypeOf(payload.fields)).toBe(Object.prototype);
  });

  it.each([
    [null, 'null'],
    [[1, 2], 'array'],
    ['jane@example.com', 'string'],
    [42, 'number'],
  ])('records only the JSON type of a non-object payload %j', (raw, type) => {
    expect(scrubForDlq(raw)).toEqual({ fields: {}, redacted: [], unknown_fields: 0, payload_type: type });
  });

  it('redacts the user id without a pseudonymizer', () => {
    expect(scrubForDlq({ user_id: 'u-1' })).toEqual({ fields: {}, redacted: ['user_id'], unknown_fields: 0 });
  });

  it('never throws and never lets a value of a personal or unknown field through', () => {
    const marker = fc.string({ minLength: 6 }).map((s) => `PII<${s}>`);
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...PII_FIELDS, 'nickname', 'Email', 'notes'), marker),
        fc.anything(),
        (personal, noise) => {
          const scrubbed = JSON.stringify(scrubForDlq({ ...personal, type: 'page_view', noise }, { userKey }));
          for (const value of Object.values(personal))
            expect(scrubbed).not.toContain(JSON.stringify(value).slice(1, -1));
        },
      ),
    );
  });
});
