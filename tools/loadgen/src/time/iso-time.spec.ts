import fc from 'fast-check';

import { isoTime } from './iso-time.js';

describe('isoTime', () => {
  it('formats like Date.prototype.toISOString for any instant from 1970 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => {
        return isoTime(ms) === new Date(ms).toISOString();
      }),
      { numRuns: 2_000 },
    );
  });

  it('stays right across minute boundaries in sequence', () => {
    const start = Date.UTC(2026, 10, 24, 23, 59, 58, 995);
    for (let ms = start; ms < start + 3_000; ms += 7) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });
});
