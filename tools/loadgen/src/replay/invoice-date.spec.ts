import { TimeZone } from '../time/time-zone.js';
import { InvoiceDateFormat } from './invoice-date.js';

const UTC = TimeZone.of('UTC');
const LONDON = TimeZone.of('Europe/London');
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('InvoiceDateFormat', () => {
  const usDates = InvoiceDateFormat.parse('M/D/YYYY H:mm');

  it('reads the UCI Online Retail format M/D/YYYY H:mm', () => {
    expect(iso(usDates.read('12/1/2010 8:26', UTC))).toBe('2010-12-01T08:26:00.000Z');
    expect(iso(usDates.read(' 12/09/2011 12:50 ', UTC))).toBe('2011-12-09T12:50:00.000Z');
  });

  it('reads wall times in the given zone: London summer time is an hour ahead of UTC', () => {
    expect(iso(usDates.read('6/1/2011 12:00', LONDON))).toBe('2011-06-01T11:00:00.000Z');
    expect(iso(usDates.read('12/1/2010 8:26', LONDON))).toBe('2010-12-01T08:26:00.000Z');
  });

  it('reads a time the DST jump skipped (3/27/2011 1:30 in London) as the moment after the jump', () => {
    expect(iso(usDates.read('3/27/2011 1:30', LONDON))).toBe('2011-03-27T01:30:00.000Z');
    expect(iso(usDates.read('3/27/2011 2:15', LONDON))).toBe('2011-03-27T01:15:00.000Z');
  });

  it('refuses impossible dates and text in another format', () => {
    expect(usDates.read('13/1/2010 9:00', UTC)).toBeUndefined();
    expect(usDates.read('2/30/2011 9:00', UTC)).toBeUndefined();
    expect(usDates.read('12/1/2010 24:00', UTC)).toBeUndefined();
    expect(usDates.read('2010-12-01 08:26', UTC)).toBeUndefined();
    expect(usDates.read('', UTC)).toBeUndefined();
  });

  it('reads Online Retail II dates (YYYY-MM-DD HH:mm:ss) and day-first dates', () => {
    expect(iso(InvoiceDateFormat.parse('YYYY-MM-DD HH:mm:ss').read('2009-12-01 07:45:00', UTC))).toBe(
      '2009-12-01T07:45:00.000Z',
    );
    expect(iso(InvoiceDateFormat.parse('DD.MM.YYYY HH:mm').read('01.12.2010 08:26', UTC))).toBe(
      '2010-12-01T08:26:00.000Z',
    );
    expect(iso(InvoiceDateFormat.parse('D/M/YYYY').read('13/1/2011', UTC))).toBe('2011-01-13T00:00:00.000Z');
  });

  it('reads ISO-8601: an offset in the value wins, without one the zone applies', () => {
    const isoFormat = InvoiceDateFormat.parse('iso');
    expect(iso(isoFormat.read('2011-06-01T12:00:00+02:00', LONDON))).toBe('2011-06-01T10:00:00.000Z');
    expect(iso(isoFormat.read('2011-06-01T12:00:00Z', LONDON))).toBe('2011-06-01T12:00:00.000Z');
    expect(iso(isoFormat.read('2011-06-01 12:00', LONDON))).toBe('2011-06-01T11:00:00.000Z');
    expect(iso(isoFormat.read('2011-06-01T12:00:00.123456-0530', UTC))).toBe('2011-06-01T17:30:00.123Z');
    expect(iso(isoFormat.read('2011-06-01', UTC))).toBe('2011-06-01T00:00:00.000Z');
    expect(isoFormat.read('2011-02-29T10:00:00Z', UTC)).toBeUndefined();
  });

  it.each([
    ['YY-MM-DD', /unknown token "YY"/],
    ['M/YYYY', /has no day/],
    ['M/D/YYYY D', /repeats/],
  ])('refuses the format %s', (format, message) => {
    expect(() => InvoiceDateFormat.parse(format)).toThrow(message);
  });
});
