import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';

import { CsvParser, parseCsv, readCsvFile, type CsvRecord } from './csv-reader.js';

const fields = (records: CsvRecord[]) => records.map((r) => r.fields);

describe('CsvParser', () => {
  it('splits plain records on commas and line breaks', () => {
    expect(fields(parseCsv('a,b,c\n1,2,3\n'))).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
  });

  it('keeps commas, doubled quotes and line breaks inside quoted fields', () => {
    const records = parseCsv(
      'id,text\n1,"CREAM CUPID HEARTS COAT HANGER, SET OF 2"\n2,"POPPY\'S ""BEDROOM"""\n3,"two\nlines"\n4,x\n',
    );
    expect(fields(records)).toEqual([
      ['id', 'text'],
      ['1', 'CREAM CUPID HEARTS COAT HANGER, SET OF 2'],
      ['2', 'POPPY\'S "BEDROOM"'],
      ['3', 'two\nlines'],
      ['4', 'x'],
    ]);
    // A record's line is where it starts; the quoted line break moves the next one down.
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 4, 6]);
  });

  it('reads CRLF line ends, also when a chunk ends between CR and LF', () => {
    const parser = new CsvParser();
    const records = [...parser.push('a,b\r'), ...parser.push('\n1,2\r\n3,'), ...parser.push('4'), ...parser.end()];
    expect(fields(records)).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3]);
  });

  it('skips blank lines and a byte order mark, keeps empty fields', () => {
    expect(fields(parseCsv('\uFEFFa,b\n\n1,\n,\n\r\n'))).toEqual([
      ['a', 'b'],
      ['1', ''],
      ['', ''],
    ]);
  });

  it('keeps a quote inside an unquoted field as text (12" vinyl)', () => {
    expect(fields(parseCsv('1,12" vinyl,2\n'))).toEqual([['1', '12" vinyl', '2']]);
  });

  it('marks text after a closing quote and an unterminated quote as malformed, and carries on', () => {
    const records = parseCsv('1,"BROKEN "QUOTE,2\n3,ok\n4,"never closed\n');
    expect(records[0]).toEqual(expect.objectContaining({ line: 1, error: 'text_after_closing_quote' }));
    expect(records[1]).toEqual({ fields: ['3', 'ok'], line: 2 });
    expect(records[2]).toEqual(expect.objectContaining({ line: 3, error: 'unterminated_quote' }));
  });

  it('reads back any table written as RFC 4180, however the text is cut into chunks', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'Z', '1', ' ', ',', '"', '\n', '\r', 'é'), maxLength: 8 });
    const table = fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(table, fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), (rows, cuts, crlf) => {
        const quote = (value: string) =>
          /[",\r\n]/.test(value) || value === '' ? `"${value.replace(/"/g, '""')}"` : value;
        const text = rows.map((row) => row.map(quote).join(',')).join(crlf ? '\r\n' : '\n');
        const positions = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
        const parser = new CsvParser();
        const records: CsvRecord[] = [];
        let from = 0;
        for (const to of [...positions, text.length]) {
          records.push(...parser.push(text.slice(from, to)));
          from = to;
        }
        records.push(...parser.end());
        expect(fields(records)).toEqual(rows);
      }),
    );
  });
});

describe('readCsvFile', () => {
  it('streams the records of a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadgen-csv-'));
    const file = join(dir, 'orders.csv');
    const lines = ['InvoiceNo,Description'];
    for (let i = 0; i < 20_000; i += 1) lines.push(`${i},"item ${i}, boxed"`);
    writeFileSync(file, lines.join('\r\n'));
    let count = 0;
    let last: CsvRecord | undefined;
    for await (const record of readCsvFile(file)) {
      count += 1;
      last = record;
    }
    expect(count).toBe(20_001);
    expect(last).toEqual({ fields: ['19999', 'item 19999, boxed'], line: 20_001 });
  });
});
