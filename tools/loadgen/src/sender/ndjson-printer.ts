import { once } from 'node:events';
import { type Writable } from 'node:stream';

import { type EventMeta, type WireEvent } from '../simulator/simulated-event.js';
import { emptySendStats, type EventSender, type SendStats } from './send-stats.js';

/** `--print`: the events as NDJSON on a stream instead of to a gateway (optionally with their metadata). */
export class NdjsonPrinter implements EventSender {
  readonly stats: SendStats = emptySendStats();

  constructor(
    private readonly out: Writable,
    private readonly metaOf?: (event: WireEvent) => EventMeta | undefined,
  ) {}

  async send(events: WireEvent[]): Promise<void> {
    this.stats.sent += events.length;
    const lines = events.map((event) => JSON.stringify(this.metaOf ? { event, meta: this.metaOf(event) } : event));
    if (!this.out.write(`${lines.join('\n')}\n`)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    // Writes are flushed by the stream itself.
  }
}
