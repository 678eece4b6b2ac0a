import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { TimeZone } from '../time/time-zone.js';
import { parseCsv } from './csv-reader.js';
import { InvoiceDateFormat } from './invoice-date.js';
import { ReplayClock } from './replay-clock.js';
import {
  readRetailLine,
  ReplayFormatError,
  retailColumns,
  toMinorUnits,
  unambiguousPrice,
  type RetailLine,
} from './retail-line.js';
import { emptyReplayStats, replayRetailFile, retailLines, scanRetailFile } from './retail-replay.js';

const SAMPLE = join(dirname(fileURLToPath(import.meta.url)), 'sample-retail.csv');
const OPTIONS = {
  currency: 'GBP',
  currencyExponent: 2,
  dateFormat: InvoiceDateFormat.parse('M/D/YYYY H:mm'),
  timeZone: TimeZone.of('Europe/London'),
  idPrefix: '',
};
const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function linesOf(csv: string) {
  const stats = emptyReplayStats();
  const lines = await collect(retailLines(parseCsv(csv), OPTIONS, stats));
  return { lines, stats };
}

describe('retail lines', () => {
  it('sends an order line as a purchase under its invoice, for its customer', async () => {
    const { lines } = await linesOf(
      `${HEADER}\n536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850,United Kingdom\n`,
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual({
      line: 2,
      kind: 'purchase',
      invoiceTime: Date.UTC(2010, 11, 1, 8, 26),
      quantity: 6,
      priceMinor: 255,
      amountMinor: 1530,
      event: {
        event_id: '536365-2',
        type: 'purchase',
        user_id: '17850',
        session_id: 'inv-536365',
        product_id: '85123A',
        quantity: 6,
        price: '2.55',
        currency: 'GBP',
        order_id: '536365',
        country: 'United Kingdom',
        attributes: { description: 'WHITE HANGING HEART T-LIGHT HOLDER' },
      },
    });
  });

  it('sends a cancelled invoice (C…) or a negative quantity as a refund with a positive quantity', async () => {
    const { lines } = await linesOf(
      `${HEADER}\nC536379,D,Discount,-1,12/1/2010 9:41,27.50,14527,United Kingdom\n536545,85049A,RIBBONS,-2,12/1/2010 14:35,1.25,17850,United Kingdom\n`,
    );
    expect(lines.map((l) => [l.kind, l.event.type, l.event.quantity, l.event.order_id, l.amountMinor])).toEqual([
      ['refund', 'refund', 1, 'C536379', 2750],
      ['refund', 'refund', 2, '536545', 250],
    ]);
  });

  it('gives a line without customer an anonymous id of its invoice', async () => {
    const { lines } = await linesOf(`${HEADER}\n536390,22960,JAM MAKING SET,12,12/1/2010 10:19,3.75,,United Kingdom\n`);
    expect(lines[0].event.user_id).toBe('anon-536390');
  });

  it('finds the columns by name in any order and in the Online Retail II spelling', () => {
    expect(
      retailColumns([
        'Invoice',
        'StockCode',
        'Description',
        'Quantity',
        'InvoiceDate',
        'Price',
        'Customer ID',
        'Country',
      ]),
    ).toEqual({
      invoice: 0,
      stockCode: 1,
      description: 2,
      quantity: 3,
      invoiceDate: 4,
      unitPrice: 5,
      customerId: 6,
      country: 7,
      width: 8,
    });
    expect(() => retailColumns(['InvoiceNo', 'Quantity'])).toThrow(ReplayFormatError);
    expect(() => retailColumns(['InvoiceNo', 'Quantity'])).toThrow(/StockCode, InvoiceDate, UnitPrice/);
  });

  it.each([
    ['537001,22086,KIT,many,12/2/2010 9:00,2.95,14911,EIRE', 'invalid_quantity'],
    ['537001,22086,KIT,0,12/2/2010 9:00,2.95,14911,EIRE', 'invalid_quantity'],
    ['537001,22086,KIT,1.5,12/2/2010 9:00,2.95,14911,EIRE', 'invalid_quantity'],
    ['537000,22086,KIT,12,13/1/2010 9:00,2.95,14911,EIRE', 'invalid_date'],
    ['537002,22087,KIT,4,12/2/2010 9:05,-2.95,14911,EIRE', 'invalid_price'],
    ['537002,22087,KIT,4,12/2/2010 9:05,£2.95,14911,EIRE', 'invalid_price'],
    ['537003,22088,TWO COLUMNS ONLY', 'wrong_field_count'],
    ['537004,22089,"BROKEN "QUOTE,2,12/2/2010 9:10,1.00,14911,EIRE', 'malformed_csv'],
    [',22089,KIT,2,12/2/2010 9:10,1.00,14911,EIRE', 'missing_invoice'],
    ['537005,,KIT,2,12/2/2010 9:12,1.00,14911,EIRE', 'missing_stock_code'],
  ])('reports %s as a bad line (%s)', (text, reason) => {
    const [header, record] = parseCsv(`${HEADER}\n${text}\n`);
    const result = readRetailLine(record, retailColumns(header.fields), OPTIONS);
    expect(result).toEqual(expect.objectContaining({ ok: false, line: 2, reason }));
  });

  it('sends a price with three decimals or no whole digits so the cleaner reads it as that decimal', () => {
    const [header, record] = parseCsv(`${HEADER}\n536365,85123A,HEART,6,12/1/2010 8:26,1.655,17850,United Kingdom\n`);
    const result = readRetailLine(record, retailColumns(header.fields), OPTIONS);
    expect(result).toEqual(
      expect.objectContaining({ ok: true, line: expect.objectContaining({ priceMinor: 166, amountMinor: 996 }) }),
    );
    expect(result.ok && result.line.event.price).toBe('1.6550');
    expect(['2.55', '18', '.5', '0.085', '4.2549', '1234.567'].map(unambiguousPrice)).toEqual([
      '2.55',
      '18',
      '0.5',
      '0.0850',
      '4.2549',
      '1234.5670',
    ]);
  });

  it('converts prices to minor units exactly, rounding half up', () => {
    expect(toMinorUnits('2.55', 2)).toBe(255);
    expect(toMinorUnits('18', 2)).toBe(1800);
    expect(toMinorUnits('.5', 2)).toBe(50);
    expect(toMinorUnits('0.125', 2)).toBe(13);
    expect(toMinorUnits('0.124', 2)).toBe(12);
    expect(toMinorUnits('1.6500000000000001', 2)).toBe(165);
    expect(toMinorUnits('1250', 0)).toBe(1250);
  });
});

describe('replaying sample-retail.csv', () => {
  it('sends its 24 readable lines — 20 purchases, 4 refunds — and reports its 6 bad lines with line numbers', async () => {
    const stats = emptyReplayStats();
    const clock = new ReplayClock({ pacing: { kind: 'backfill' }, times: 'original', startedAt: 0 });
    const events = await collect(replayRetailFile({ ...OPTIONS, file: SAMPLE, encoding: 'utf8' }, clock, stats));
    expect(events).toHaveLength(24);
    expect(stats).toEqual(expect.objectContaining({ lines: 30, purchases: 20, refunds: 4, badLines: 6 }));
    expect(stats.badByReason).toEqual({
      invalid_date: 1,
      invalid_quantity: 1,
      invalid_price: 1,
      wrong_field_count: 1,
      malformed_csv: 1,
      missing_stock_code: 1,
    });
    expect(stats.badExamples.map((b) => b.line)).toEqual([18, 19, 20, 21, 22, 23]);
    expect(new Set(events.map((e) => e.event.event_id)).size).toBe(24);
    expect(events.every((e) => e.dueAt === 0)).toBe(true);
  });

  it('carries amounts whose sums equal the sums written out from the file by hand', async () => {
    const lines: RetailLine[] = await collect(
      retailLines(parseCsv((await import('node:fs')).readFileSync(SAMPLE, 'utf8')), OPTIONS),
    );
    const sum = (kind: string, pick: (l: RetailLine) => number) =>
      lines.filter((l) => l.kind === kind).reduce((total, l) => total + pick(l), 0);
    // Purchases: 6×2.55 + 6×3.39 + 8×2.75 + … + 3×4.95 (20 lines), refunds: 27.50 + 4.65 + 2×1.25 + 3×2.08.
    expect(sum('purchase', (l) => l.amountMinor)).toBe(61_154);
    expect(sum('purchase', (l) => l.quantity)).toBe(247);
    expect(sum('refund', (l) => l.amountMinor)).toBe(4_089);
    expect(new Set(lines.filter((l) => l.kind === 'purchase').map((l) => l.event.order_id)).size).toBe(14);
  });

  it("reads event times in the file's zone: the London DST night and a summer noon", async () => {
    const stats = emptyReplayStats();
    const clock = new ReplayClock({ pacing: { kind: 'backfill' }, times: 'original', startedAt: 0 });
    const events = await collect(replayRetailFile({ ...OPTIONS, file: SAMPLE, encoding: 'utf8' }, clock, stats));
    const at = (order: string) => events.filter((e) => e.event.order_id === order).map((e) => e.event.occurred_at);
    expect(at('548000')).toEqual(['2011-03-27T01:30:00.000Z']);
    expect(at('548001')).toEqual(['2011-03-27T01:15:00.000Z']);
    expect(at('552000')).toEqual(['2011-06-01T11:00:00.000Z', '2011-06-01T11:00:00.000Z']);
    expect(new Date(stats.lastInstant ?? 0).toISOString()).toBe('2011-12-09T12:50:00.000Z');
  });

  it('with --speed 3600 spreads the year of data over its hours, and --end-now makes the last line now', async () => {
    const scan = await scanRetailFile({ ...OPTIONS, file: SAMPLE, encoding: 'utf8' });
    const now = Date.UTC(2026, 10, 24, 10);
    const clock = new ReplayClock({
      pacing: { kind: 'speed', factor: 3_600 },
      times: 'end-now',
      startedAt: now,
      lastInstant: scan.lastInstant,
    });
    const events = await collect(
      replayRetailFile({ ...OPTIONS, file: SAMPLE, encoding: 'utf8' }, clock, emptyReplayStats()),
    );
    const last = events[events.length - 1];
    expect(last.event.occurred_at).toBe(new Date(now).toISOString());
    // 2010-12-01 08:26 → 2011-12-09 12:50 is 373 days 4 h 24 min: that many seconds at 3600×.
    const span = Date.UTC(2011, 11, 9, 12, 50) - Date.UTC(2010, 11, 1, 8, 26);
    expect(last.dueAt - now).toBeCloseTo(span / 3_600, 6);
  });

  it('stops after --limit lines', async () => {
    const stats = emptyReplayStats();
    const clock = new ReplayClock({ pacing: { kind: 'backfill' }, times: 'original', startedAt: 0 });
    const events = await collect(
      replayRetailFile({ ...OPTIONS, file: SAMPLE, encoding: 'utf8', limit: 5 }, clock, stats),
    );
    expect(events).toHaveLength(5);
    expect(stats.lines).toBe(5);
  });

  it('refuses a file without the required columns before sending anything', async () => {
    await expect(collect(retailLines(parseCsv('a,b\n1,2\n'), OPTIONS))).rejects.toThrow(ReplayFormatError);
    await expect(collect(retailLines(parseCsv(''), OPTIONS))).rejects.toThrow(/empty/);
  });
});
