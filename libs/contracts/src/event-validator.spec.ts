import { validateRawEvent } from './event-validator.js';

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
