import fc from 'fast-check';
import countries from 'i18n-iso-countries';

import { COUNTRY_ALIASES, normalizeCountry } from './countries.js';

describe('normalizeCountry', () => {
  it.each([
    ['gb', 'GB'],
    [' GB ', 'GB'],
    ['GBR', 'GB'],
    ['deu', 'DE'],
    ['United Kingdom', 'GB'],
    ['germany', 'DE'],
    ['The Netherlands', 'NL'],
    ["Côte d'Ivoire", 'CI'],
    ['Cote d\u2019Ivoire', 'CI'],
    ['Türkiye', 'TR'],
    ['Turkiye', 'TR'],
    ['Czech Republic', 'CZ'],
    ['U.S.A.', 'US'],
  ])('cleaning.md row 42: alpha-2, alpha-3 and English names: %j → %s', (input, expected) => {
    expect(normalizeCountry(input)).toBe(expected);
  });

  it.each([
    ['UK', 'GB'],
    ['Great Britain', 'GB'],
    ['England', 'GB'],
    ['Northern Ireland', 'GB'],
    ['EIRE', 'IE'],
    ['Eire', 'IE'],
    ['USA', 'US'],
    ['United States of America', 'US'],
    ['RSA', 'ZA'],
    ['Holland', 'NL'],
    ['Viet Nam', 'VN'],
    ['Swaziland', 'SZ'],
  ])('cleaning.md row 43: names shop exports carry: %j → %s', (input, expected) => {
    expect(normalizeCountry(input)).toBe(expected);
  });

  it('cleaning.md row 44: "Channel Islands" names two ISO entries (JE, GG) and is dropped', () => {
    expect(normalizeCountry('Channel Islands')).toBeUndefined();
  });

  it.each([
    ['European Community'],
    ['EU'],
    ['Unspecified'],
    ['Congo'],
    ['XX'],
    ['ZZZ'],
    ['Atlantis'],
    [''],
    [44],
    [null],
  ])('cleaning.md row 45: %p names no single country and is dropped', (input) => {
    expect(normalizeCountry(input)).toBeUndefined();
  });

  it('maps every ISO alpha-2 and alpha-3 code to the alpha-2 code', () => {
    for (const [alpha2, alpha3] of Object.entries(countries.getAlpha2Codes())) {
      expect(normalizeCountry(alpha2.toLowerCase())).toBe(alpha2);
      expect(normalizeCountry(alpha3)).toBe(alpha2);
    }
  });

  it('has no alias that shadows a real alpha-2 code', () => {
    const codes = new Set(Object.keys(countries.getAlpha2Codes()));
    for (const alias of COUNTRY_ALIASES.keys()) expect(codes.has(alias.toUpperCase())).toBe(false);
  });

  it('never throws, yields only ISO alpha-2 codes, and is idempotent', () => {
    const codes = new Set(Object.keys(countries.getAlpha2Codes()));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.string({ maxLength: 70 }),
          fc.constantFrom(...Object.values(countries.getNames('en')), ...COUNTRY_ALIASES.keys()),
        ),
        (value) => {
          const once = normalizeCountry(value);
          if (once === undefined) return;
          expect(codes.has(once)).toBe(true);
          expect(normalizeCountry(once)).toBe(once);
        },
      ),
    );
  });
});
