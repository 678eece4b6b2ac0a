import { historyShortage, today } from './dashboard-queries.js';

describe('dashboard queries', () => {
  it('reads the forecast service’s history shortage from its FAILED_PRECONDITION', () => {
    expect(historyShortage({ code: 9, details: 'auto needs at least 120 points of 1m history, got 40' })).toEqual({
      required: 120,
      have: 40,
    });
    expect(
      historyShortage({ code: 14, details: 'auto needs at least 120 points of 1m history, got 40' }),
    ).toBeUndefined();
    expect(historyShortage({ code: 9, details: 'something else' })).toBeUndefined();
    expect(historyShortage(new Error('boom'))).toBeUndefined();
  });

  it('takes "today" as UTC midnight to the end of the current minute', () => {
    const now = Date.UTC(2026, 10, 27, 19, 30, 20);
    expect(today(now)).toEqual({ from: Date.UTC(2026, 10, 27), to: Date.UTC(2026, 10, 27, 19, 31) });
  });
});
