/**
 * Server-Sent Events framing (WHATWG HTML, "Server-sent events"): fields `event`, `id`, `data`
 * (one `data:` line per line of the payload), `retry`; a blank line ends the event; a line starting
 * with `:` is a comment, used as a heartbeat so proxies keep an idle stream open.
 */

export interface SseEvent {
  event?: string;
  id?: string;
  data: string;
  /** Reconnection delay the client should use, in ms. */
  retry?: number;
}

function field(name: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`SSE ${name} must be one line`);
  return `${name}: ${value}\n`;
}

export function sseFrame(message: SseEvent): string {
  let frame = '';
  if (message.event !== undefined) frame += field('event', message.event);
  if (message.id !== undefined) frame += field('id', message.id);
  if (message.retry !== undefined) frame += `retry: ${Math.max(0, Math.floor(message.retry))}\n`;
  for (const line of message.data.split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

/** A JSON payload as one event (JSON.stringify never emits a raw newline, so it is one data line). */
export function sseJson(event: string, payload: unknown, id?: string): string {
  return sseFrame({ event, id, data: JSON.stringify(payload) });
}

export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}
