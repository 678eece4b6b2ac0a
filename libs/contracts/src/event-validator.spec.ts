import { createRawEventValidator, validateRawEvent } from './event-validator.js';

const valid = { event_id: 'e-1', type: 'purchase', occurred_at: '2026-11-24T10:00:00.123Z', price: '12.50' };

describe('validateRawEvent', () => {
  it('accepts the design example shape', () => {
    const result = validateRawEvent({ ...valid, quantity: 2, attributes: { coupon: 'X', score: 3 } });
    expect(result.ok).toBe(true);
  });

  it('accepts epoch timestamps and numeric ids', () => {
    expect(validateRawEvent({ ...valid, occurred_at: 1764000000123, user_id: 17850 }).ok).toBe(true);
  });

  it.each([
    [{ ...valid, event_id: undefined }, "must have required property 'event_id'"],
    [{ ...valid, event_id: 'x'.repeat(129) }, 'event_id: must NOT have more than 128 characters'],
    [{ ...valid, occurred_at: true }, 'occurred_at: must be string or number'],
    [{ ...valid, attributes: { nested: { deep: 1 } } }, 'attributes.nested'],
    [[valid], 'event: must be object'],
  ])('rejects %j with a reason naming the field', (candidate, reason) => {
    const result = validateRawEvent(candidate);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

describe('createRawEventValidator', () => {
  it('tightens the limits a gateway enforces', () => {
    const strict = createRawEventValidator({ maxIdLength: 8, maxTextLength: 40, maxAttributes: 2 });
    expect(strict({ ...valid, user_id: 'u-123456' }).ok).toBe(true);
    expect(strict({ ...valid, user_id: 'u-1234567' })).toEqual({
      ok: false,
      reason: 'user_id: must NOT have more than 8 characters',
    });
    expect(strict({ ...valid, user_agent: 'x'.repeat(41) })).toEqual({
      ok: false,
      reason: 'user_agent: must NOT have more than 40 characters',
    });
    expect(strict({ ...valid, attributes: { a: 1, b: 2, c: 3 } })).toEqual({
      ok: false,
      reason: 'attributes: must NOT have more than 2 properties',
    });
    expect(validateRawEvent({ ...valid, user_id: 'u-1234567' }).ok).toBe(true);
  });

  it('refuses limits looser than the contract', () => {
    expect(() => createRawEventValidator({ maxIdLength: 257, maxTextLength: 1024, maxAttributes: 64 })).toThrow(
      /maxIdLength/,
    );
    expect(() => createRawEventValidator({ maxIdLength: 256, maxTextLength: 1024, maxAttributes: 0 })).toThrow(
      /maxAttributes/,
    );
  });
});
