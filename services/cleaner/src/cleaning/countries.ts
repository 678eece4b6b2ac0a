import countries from 'i18n-iso-countries';

import { normalizeText } from './text.js';

/** Case, accents, apostrophe style, dots and a leading "the" do not distinguish country names. */
function nameKey(text: string): string {
  return text
    .replace(/[\u2018\u2019]/g, "'")
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\./g, '')
    .replace(/\s+/g, ' ')
    .replace(/^the /, '')
    .trim();
}

/**
 * What i18n-iso-countries does not know but real shop exports carry (docs/cleaning.md, countries).
 * `null` means "known not to be one country": the field is dropped, as for any unknown value.
 */
export const COUNTRY_ALIASES: ReadonlyMap<string, string | null> = new Map([
  ['eire', 'IE'],
  ['republic of ireland', 'IE'],
  ['rsa', 'ZA'],
  ['holland', 'NL'],
  ['viet nam', 'VN'],
  ['macedonia', 'MK'],
  ['swaziland', 'SZ'],
  ['burma', 'MM'],
  // The UK's constituent countries are subdivisions of GB in ISO 3166-2.
  ['england', 'GB'],
  ['scotland', 'GB'],
  ['wales', 'GB'],
  ['northern ireland', 'GB'],
  // Jersey (JE) and Guernsey (GG) are separate ISO entries and not part of the UK: picking one,
  // or GB, would put one island's revenue on another country.
  ['channel islands', null],
  ['european community', null],
  ['european union', null],
  ['eu', null],
  ['unspecified', null],
]);

const ALPHA2 = new Set(Object.keys(countries.getAlpha2Codes()));

/** Every English name and alias i18n-iso-countries knows; a name two countries share ("Congo") maps to null. */
const NAMES: ReadonlyMap<string, string | null> = (() => {
  const names = new Map<string, string | null>();
  for (const [code, list] of Object.entries(countries.getNames('en', { select: 'all' }))) {
    for (const name of list) {
      const key = nameKey(name);
      names.set(key, names.has(key) && names.get(key) !== code ? null : code);
    }
  }
  return names;
})();

/**
 * ISO 3166-1 alpha-2, alpha-3 or an English name (`"gb"`, `"GBR"`, `"United Kingdom"`, `"UK"`,
 * `"EIRE"`) → ISO 3166-1 alpha-2 (`GB`, `IE`), or undefined when it names no single country.
 */
export function normalizeCountry(value: unknown): string | undefined {
  const text = normalizeText(value, 64);
  if (text === undefined) return undefined;
  const key = nameKey(text);
  const alias = COUNTRY_ALIASES.get(key);
  if (alias !== undefined) return alias ?? undefined;
  const upper = text.toUpperCase();
  if (/^[A-Z]{2}$/.test(upper) && ALPHA2.has(upper)) return upper;
  if (/^[A-Z]{3}$/.test(upper)) {
    const alpha2 = countries.alpha3ToAlpha2(upper);
    if (alpha2 !== undefined) return alpha2;
  }
  return NAMES.get(key) ?? undefined;
}
