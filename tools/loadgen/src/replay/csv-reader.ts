import { createReadStream } from 'node:fs';

/**
 * RFC 4180 CSV, incrementally: fields may be quoted, a quoted field may hold commas, line breaks
 * and doubled quotes; records end at CRLF or LF (also when split across chunks). Lenient where
 * exports are sloppy — a quote inside an unquoted field is kept as text (`12" vinyl`) — and strict
 * where the meaning is lost: text after a closing quote or an unterminated quote marks the
 * record as malformed instead of guessing.
 */
export interface CsvRecord {
  fields: string[];
  /** physical line (1-based) where the record starts */
  line: number;
  /** why the record cannot be trusted; its fields are what could be read */
  error?: 'text_after_closing_quote' | 'unterminated_quote';
}

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** a quote inside a quoted field: the end of the field, or the first half of "" */
  QuoteInQuoted,
  /** text followed the closing quote: skip to the end of the record */
  Malformed,
}

export class CsvParser {
  private state = State.FieldStart;
  private field = '';
  private fields: string[] = [];
  private line = 1;
  private recordLine = 1;
  private error: CsvRecord['error'];
  /** the previous chunk ended in CR: an LF at the start of this one belongs to it */
  private pendingCr = false;
  private quotedCr = false;
  private started = false;

  push(chunk: string): CsvRecord[] {
    const records: CsvRecord[] = [];
    let i = 0;
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) i = 1;
    }
    if (this.pendingCr && i < chunk.length) {
      this.pendingCr = false;
      if (chunk[i] === '\n') i += 1;
    }
    for (; i < chunk.length; i += 1) {
      const c = chunk[i];
      if (this.state === State.FieldStart) {
        if (c === '"') {
          this.state = State.Quoted;
          this.quotedCr = false;
          continue;
        }
        if ((c === '\n' || c === '\r') && this.fields.length === 0) {
          // A blank line: no record.
          i = this.lineBreak(chunk, i);
          continue;
        }
        this.state = State.Unquoted;
      }
      switch (this.state) {
        case State.Unquoted:
          if (c === ',') this.endField();
          else if (c === '\n' || c === '\r') i = this.endRecord(chunk, i, records);
          else this.field += c;
          break;
        case State.Quoted:
          if (c === '"') this.state = State.QuoteInQuoted;
          else {
            // A line break inside the field: CRLF counts once, even when split across chunks.
            if (c === '\r' || (c === '\n' && !this.quotedCr)) this.line += 1;
            this.quotedCr = c === '\r';
            this.field += c;
          }
          break;
        case State.QuoteInQuoted:
          if (c === '"') {
            this.field += '"';
            this.state = State.Quoted;
            this.quotedCr = false;
          } else if (c === ',') this.endField();
          else if (c === '\n' || c === '\r') i = this.endRecord(chunk, i, records);
          else {
            this.error = 'text_after_closing_quote';
            this.state = State.Malformed;
          }
          break;
        case State.Malformed:
          if (c === '\n' || c === '\r') i = this.endRecord(chunk, i, records);
          break;
      }
    }
    return records;
  }

  /** The last record when the input does not end with a line break. */
  end(): CsvRecord[] {
    if (this.state === State.Quoted) this.error = 'unterminated_quote';
    if (this.state === State.FieldStart && this.fields.length === 0) return [];
    const records: CsvRecord[] = [];
    this.finishRecord(records);
    return records;
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.state = State.FieldStart;
  }

  /** Ends the record at the line break at `i`; returns the index of its last character. */
  private endRecord(chunk: string, i: number, records: CsvRecord[]): number {
    this.finishRecord(records);
    return this.lineBreak(chunk, i);
  }

  /** Steps over the line break at `i` (CRLF as one, also across chunks); returns its last index. */
  private lineBreak(chunk: string, i: number): number {
    this.line += 1;
    this.recordLine = this.line;
    if (chunk[i] === '\r') {
      if (i + 1 < chunk.length) return chunk[i + 1] === '\n' ? i + 1 : i;
      this.pendingCr = true;
    }
    return i;
  }

  private finishRecord(records: CsvRecord[]): void {
    if (this.state !== State.Malformed) this.fields.push(this.field);
    const record: CsvRecord = { fields: this.fields, line: this.recordLine };
    if (this.error) record.error = this.error;
    records.push(record);
    this.fields = [];
    this.field = '';
    this.error = undefined;
    this.state = State.FieldStart;
  }
}

/** Parses a whole CSV text (tests, small files). */
export function parseCsv(text: string): CsvRecord[] {
  const parser = new CsvParser();
  return [...parser.push(text), ...parser.end()];
}

/** Streams the records of a CSV file without holding it in memory. */
export async function* readCsvFile(
  path: string,
  encoding: BufferEncoding = 'utf8',
  signal?: AbortSignal,
): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser();
  const stream = createReadStream(path, { encoding, highWaterMark: 256 * 1024, signal });
  for await (const chunk of stream) {
    yield* parser.push(chunk as string);
  }
  yield* parser.end();
}
