import fc from 'fast-check';

import { looksLikeEmail, normalizeCategory, normalizeChannel, normalizeText, stripInvisible } from './text.js';

describe('normalizeText', () => {
  it('cleaning.md row 41: strips control and format characters ("Kit\\u0000chen\\u200B" → "Kitchen")', () => {
    expect(normalizeText('Kit\u0000chen\u200B', 64)).toBe('Kitchen');
    expect(normalizeText('\u202Eevil\u0007', 64)).toBe('evil');
    expect(stripInvisible('a\uD800b\u007F\u0085c')).toBe('abc');
  });

  it('turns whitespace runs (tab, newline, NBSP, BOM) into one space and trims', () => {
    expect(normalizeText(' \uFEFFhome\t\n\u00a0 garden  ', 64)).toBe('home garden');
  });

  it('composes to NFC so one word typed two ways is one value', () => {
    expect(normalizeText('Cafe\u0301', 64)).toBe('Caf\u00e9');
  });

  it.each([[''], ['   '], ['\u0000\u200B'], [42], [null], [{}]])('gives undefined for %j', (value) => {
    expect(normalizeText(value, 64)).toBeUndefined();
  });

  it('refuses text longer than the limit after cleaning', () => {
    expect(normalizeText('abcd', 3)).toBeUndefined();
    expect(normalizeText(' abc ', 3)).toBe('abc');
  });

  it('never throws, never returns invisible characters, and is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.anything()), (value) => {
        const once = normalizeText(value, 1024);
        if (once === undefined) return;
        expect(once).not.toMatch(/[\p{Cc}\p{Cf}\p{Cs}]/u);
        expect(once).toBe(once.trim());
        expect(normalizeText(once, 1024)).toBe(once);
      }),
    );
  });
});

describe('normalizeCategory', () => {
  it('cleaning.md row 39: trims, collapses whitespace and lower-cases ("  Home &\\tKitchen " → "home & kitchen")', () => {
    expect(normalizeCategory('  Home &\tKitchen ')).toBe('home & kitchen');
  });

  it('cleaning.md row 53: drops a category that carries an e-mail address', () => {
    expect(normalizeCategory('gifts for jane.doe@example.com')).toBeUndefined();
  });

  it('is idempotent and never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const once = normalizeCategory(value);
        if (once !== undefined) expect(normalizeCategory(once)).toBe(once);
      }),
    );
  });
});

describe('normalizeChannel', () => {
  it('cleaning.md row 40: lower-cases to a short token ("Mobile App" → mobile_app) and drops anything else', () => {
    expect(normalizeChannel(' WEB ')).toBe('web');
    expect(normalizeChannel('Mobile App')).toBe('mobile_app');
    expect(normalizeChannel('iOS')).toBe('ios');
    expect(normalizeChannel('web/../../etc')).toBeUndefined();
    expect(normalizeChannel('a'.repeat(33))).toBeUndefined();
    expect(normalizeChannel('')).toBeUndefined();
  });

  it('is idempotent and only ever yields the token shape', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const once = normalizeChannel(value);
        if (once === undefined) return;
        expect(once).toMatch(/^[a-z0-9][a-z0-9_.-]{0,31}$/);
        expect(normalizeChannel(once)).toBe(once);
      }),
    );
  });
});

describe('looksLikeEmail', () => {
  it.each([
    ['jane@example.com', true],
    ['contact: jane.doe+shop@mail.example.co.uk', true],
    ['SKU-123', false],
    ['@handle', false],
    ['a@b', false],
  ])('%s → %s', (text, expected) => {
    expect(looksLikeEmail(text)).toBe(expected);
  });
});
