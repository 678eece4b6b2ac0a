import { ANSI_STYLE, bar, duration, fitWidth, money, sparkline, visibleLength } from './terminal-text.js';

describe('terminal text', () => {
  it('measures and fits text by what is visible, keeping styles and closing a cut one', () => {
    const styled = `${ANSI_STYLE.bold('Pulse')} live`;
    expect(visibleLength(styled)).toBe(10);
    expect(visibleLength(fitWidth(styled, 14))).toBe(14);
    const cut = fitWidth(ANSI_STYLE.green('█'.repeat(30)), 8);
    expect(visibleLength(cut)).toBe(8);
    expect(cut.endsWith('…\u001b[0m')).toBe(true);
    expect(fitWidth('abcdef', 4)).toBe('abc…');
    expect(fitWidth('ab', 4)).toBe('ab  ');
  });

  it('draws a sparkline scaled to its largest value, a gap as a space', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe('▁▂▃▅█');
    expect(sparkline([5, undefined, 10])).toBe('▅ █');
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(sparkline([2], 8)).toBe('▃');
  });

  it('draws bars in eighths of a cell', () => {
    expect(bar(1, 4)).toBe('████');
    expect(bar(0.5, 4)).toBe('██');
    expect(bar(0.0625, 4)).toBe('▎');
    expect(bar(2, 2)).toBe('██');
  });

  it('formats minor units as money, without cents from 10,000 on', () => {
    expect(money(123_456, 'EUR', 2)).toBe('€1,234.56');
    expect(money(1_234_567, 'EUR', 2)).toBe('€12,346');
    expect(money(4_500, 'JPY', 0)).toBe('¥4,500');
  });

  it('formats durations compactly', () => {
    expect(duration(42)).toBe('42s');
    expect(duration(90)).toBe('1m30s');
    expect(duration(3_700)).toBe('1h01m');
  });
});
