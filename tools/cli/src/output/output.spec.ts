import { formatCount, formatPercent, formatWindow, toJson } from './format.js';
import { renderTable } from './table.js';

describe('renderTable', () => {
  it('pads columns to their widest cell, numbers aligned right', () => {
    expect(
      renderTable(
        [{ header: 'rank', align: 'right' }, { header: 'product' }, { header: 'revenue', align: 'right' }],
        [
          ['1', 'product:SKU-10', '12,000'],
          ['2', 'product:SKU-2', '900'],
        ],
      ),
    ).toBe(
      ['rank  product         revenue', '   1  product:SKU-10   12,000', '   2  product:SKU-2       900'].join('\n'),
    );
  });
});

describe('formatting', () => {
  it('formats counts, rates and windows', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatPercent(0.12345)).toBe('12.3%');
    const at = Date.UTC(2026, 10, 24, 23, 5);
    expect(formatWindow(at, false)).toBe('2026-11-24 23:05');
    expect(formatWindow(at, true)).toBe('2026-11-24');
    expect(formatWindow(at, true, 'Europe/Berlin')).toBe('2026-11-25');
  });

  it('prints proto Timestamps as ISO-8601 in JSON, everything else as is', () => {
    expect(
      toJson({
        points: [{ windowStart: { seconds: 1_795_996_800, nanos: 0 }, values: [1, 2], filled: false }],
        metric: 'x',
      }),
    ).toEqual({ points: [{ windowStart: '2026-11-30T00:00:00.000Z', values: [1, 2], filled: false }], metric: 'x' });
  });
});
