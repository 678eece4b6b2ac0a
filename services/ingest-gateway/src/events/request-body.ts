import { IngestError } from './ingest-error.js';

/**
 * The body shapes POST /v1/events accepts, reduced to a list of candidate events: one JSON event,
 * `{"events":[...]}`, or NDJSON (one event per line; a bad line is rejected by index like any
 * invalid event, the rest go through).
 */
export type Candidate = { ok: true; value: unknown } | { ok: false; reason: string };

export function candidatesFromJson(body: unknown): Candidate[] {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'events' in body) {
    const events = (body as { events: unknown }).events;
    if (!Array.isArray(events)) throw new IngestError('malformed', '"events" must be an array');
    if (events.length === 0) throw new IngestError('malformed', '"events" is empty');
    return events.map((value) => ({ ok: true, value }));
  }
  return [{ ok: true, value: body }];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** NDJSON arrives as raw bytes so that invalid UTF-8 is caught per line, not for the whole body. */
export function candidatesFromNdjson(body: Buffer): Candidate[] {
  const candidates: Candidate[] = [];
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf(0x0a, start);
    if (end === -1) end = body.length;
    const line = body.subarray(start, end);
    start = end + 1;
    if (line.length === 0 || (line.length === 1 && line[0] === 0x0d)) {
      if (end === body.length) break;
      continue;
    }
    let text: string;
    try {
      text = utf8.decode(line);
    } catch {
      candidates.push({ ok: false, reason: 'line is not valid UTF-8' });
      continue;
    }
    try {
      candidates.push({ ok: true, value: JSON.parse(text) as unknown });
    } catch (error) {
      candidates.push({ ok: false, reason: `invalid JSON line: ${(error as Error).message}` });
    }
  }
  if (candidates.length === 0) throw new IngestError('malformed', 'the NDJSON body holds no events');
  return candidates;
}
