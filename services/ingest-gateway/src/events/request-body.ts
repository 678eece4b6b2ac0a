import { problems } from '../problems/problem.js';

/**
 * The three body shapes POST /v1/events accepts, reduced to a list of candidate events:
 * one JSON event, `{"events":[...]}`, or NDJSON (one event per line; a bad line is rejected by
 * index like any invalid event, the rest go through).
 */
export type Candidate = { ok: true; value: unknown } | { ok: false; reason: string };

export function candidatesFromJson(body: unknown): Candidate[] {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'events' in body) {
    const events = (body as { events: unknown }).events;
    if (!Array.isArray(events)) throw problems.malformed('"events" must be an array');
    return events.map((value) => ({ ok: true, value }));
  }
  return [{ ok: true, value: body }];
}

export function candidatesFromNdjson(text: string): Candidate[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  return lines.map((line) => {
    try {
      return { ok: true, value: JSON.parse(line) as unknown };
    } catch (error) {
      return { ok: false, reason: `invalid JSON line: ${(error as Error).message}` };
    }
  });
}
