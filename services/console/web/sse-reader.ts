/**
 * Reads Server-Sent Events from a fetch() body. The page uses fetch, not EventSource, because
 * EventSource cannot send the API key as a header (and a key in the URL would land in logs).
 */

export interface ReceivedEvent {
  event: string;
  data: string;
  id?: string;
}

/** Incremental parser: push text chunks, get the events they complete. */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;
  retry: number | undefined;

  push(chunk: string): ReceivedEvent[] {
    this.buffer += chunk;
    const out: ReceivedEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      // A lone '\r' at the end may be the first half of '\r\n': wait for the next chunk.
      if (!match || (match[0] === '\r' && match.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      if (line === '') {
        if (this.data.length > 0) out.push({ event: this.event || 'message', data: this.data.join('\n'), id: this.id });
        this.event = '';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (name === 'event') this.event = value;
      else if (name === 'data') this.data.push(value);
      else if (name === 'id') this.id = value;
      else if (name === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
    }
    return out;
  }
}
