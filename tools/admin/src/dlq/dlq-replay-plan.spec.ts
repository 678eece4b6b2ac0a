import { planReplay } from './dlq-replay-plan.js';

const fixed = {
  event_id: 'e-7',
  type: 'purchase',
  occurred_at: '2026-11-24T10:00:00Z',
  price: '12.50',
  currency: 'EUR',
};

describe('planReplay', () => {
  it('plans a corrected event with a replay msg id tied to its DLQ sequence', () => {
    const [plan] = planReplay('demo', `${JSON.stringify({ dlq_seq: 42, event: fixed })}\n`);
    expect(plan).toEqual({ ok: true, line: 1, dlqSeq: 42, event: fixed, msgId: 'demo:e-7:replay:42' });
  });

  it('reports bad lines by line number and skips blank lines', () => {
    const plans = planReplay(
      'demo',
      [
        'not json',
        '',
        JSON.stringify({ event: fixed }),
        JSON.stringify({ dlq_seq: 3, event: { type: 'purchase' } }),
      ].join('\n'),
    );
    expect(plans).toEqual([
      { ok: false, line: 1, reason: expect.stringContaining('not JSON') },
      { ok: false, line: 3, reason: expect.stringContaining('dlq_seq') },
      { ok: false, line: 4, reason: "event: must have required property 'event_id'" },
    ]);
  });
});
