import { lastToken, messageId, subjects } from './subjects.js';

describe('subjects', () => {
  it('builds the data-path subjects of DESIGN.md', () => {
    expect(subjects.raw('demo')).toBe('pulse.raw.demo');
    expect(subjects.clean(3)).toBe('pulse.clean.3');
    expect(subjects.agg(15)).toBe('pulse.agg.15');
    expect(subjects.dlq('demo')).toBe('pulse.dlq.demo');
  });

  it('refuses tenant ids that would break subject tokens', () => {
    for (const bad of ['a.b', '*', '>', 'UPPER', '', 'x'.repeat(64), 'sp ace']) {
      expect(() => subjects.raw(bad)).toThrow(/invalid tenant id/);
    }
  });

  it('refuses negative or fractional partitions', () => {
    expect(() => subjects.clean(-1)).toThrow(/invalid partition/);
    expect(() => subjects.clean(1.5)).toThrow(/invalid partition/);
  });

  it('reads the tenant or partition back from a subject', () => {
    expect(lastToken('pulse.raw.demo')).toBe('demo');
    expect(lastToken('pulse.clean.12')).toBe('12');
  });

  it('scopes the dedup id by tenant', () => {
    expect(messageId('demo', 'e-1')).toBe('demo:e-1');
  });
});
