import fc from 'fast-check';

import { SseParser } from '../../web/sse-reader.js';
import { sseComment, sseFrame, sseJson } from './sse-frame.js';

describe('SSE framing', () => {
  it('writes event, id and one data line per payload line, ended by a blank line', () => {
    expect(sseFrame({ event: 'snapshot', id: '7', data: 'a\nb' })).toBe('event: snapshot\nid: 7\ndata: a\ndata: b\n\n');
  });

  it('writes a retry field in whole milliseconds', () => {
    expect(sseFrame({ data: 'x', retry: 2000.7 })).toBe('retry: 2000\ndata: x\n\n');
  });

  it('refuses an event name or id that would break the frame', () => {
    expect(() => sseFrame({ event: 'a\nb', data: '' })).toThrow('SSE event must be one line');
    expect(() => sseFrame({ id: '1\r', data: '' })).toThrow('SSE id must be one line');
  });

  it('sends a JSON payload as a single data line', () => {
    expect(sseJson('snapshot', { text: 'two\nlines' }, '1')).toBe(
      'event: snapshot\nid: 1\ndata: {"text":"two\\nlines"}\n\n',
    );
  });

  it('writes comments (heartbeats) on one line', () => {
    expect(sseComment('keep\nalive')).toBe(': keep alive\n\n');
  });

  it('is read back by the page parser whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ event: fc.constantFrom('snapshot', 'bye'), data: fc.string() }), { maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (events, cuts) => {
          const wire = events.map((e) => sseFrame(e) + sseComment('hb')).join('');
          const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
          const parser = new SseParser();
          const received = [];
          let from = 0;
          for (const point of [...points, wire.length]) {
            received.push(...parser.push(wire.slice(from, point)));
            from = point;
          }
          // The parser normalises CR and CRLF in data to LF, as the SSE spec does.
          expect(received).toEqual(events.map((e) => ({ event: e.event, data: e.data.replace(/\r\n|\r/g, '\n') })));
        },
      ),
    );
  });

  it('keeps the last id and the retry delay the server sent', () => {
    const parser = new SseParser();
    expect(parser.push('retry: 1500\n: hello\n\nid: 9\nevent: snapshot\ndata: {}\n\n')).toEqual([
      { event: 'snapshot', data: '{}', id: '9' },
    ]);
    expect(parser.retry).toBe(1500);
  });
});
