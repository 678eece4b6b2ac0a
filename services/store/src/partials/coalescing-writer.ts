import { type WindowPartialV1 } from '@pulse/contracts';

import { context, type Context } from '@opentelemetry/api';

import { partialRowKey } from './written-versions.js';

interface PendingRow {
  partial: WindowPartialV1;
  /** The trace context `partial` was submitted in: its write (and Cassandra's spans) continue it. */
  context: Context;
  waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

/**
 * Writes partials with bounded concurrency and, while writes are queued, keeps only the newest
 * version of each row: a partial superseded by a newer one of the same row before its turn came
 * is settled when the newer one is written (Cassandra would keep the newer cells anyway). When the
 * store keeps up nothing waits and every partial is written; when it falls behind — a burst, a
 * Cassandra hiccup, a replay after a restart — the queue coalesces and the write rate needed drops
 * to the number of distinct rows changing, which is what lets the store catch up.
 *
 * `submit` resolves when the partial (or a newer one of its row) is in Cassandra and rejects when
 * that write failed, so the caller acks or naks the message exactly then. The write runs in the
 * trace context of the partial written (the newest submitted), whenever its turn comes.
 */
export class CoalescingWriter {
  private readonly pending = new Map<string, PendingRow>();
  private active = 0;
  /** partials settled without a write of their own */
  superseded = 0;

  constructor(
    private readonly write: (partial: WindowPartialV1) => Promise<unknown>,
    private readonly concurrency: number,
  ) {}

  get queued(): number {
    return this.pending.size;
  }

  submit(partial: WindowPartialV1): Promise<void> {
    const key = partialRowKey(partial);
    return new Promise<void>((resolve, reject) => {
      const row = this.pending.get(key);
      if (!row) {
        this.pending.set(key, { partial, context: context.active(), waiters: [{ resolve, reject }] });
      } else {
        const current = row.partial;
        if (partial.version > current.version || (partial.version === current.version && partial.closed)) {
          row.partial = partial;
          row.context = context.active();
        }
        row.waiters.push({ resolve, reject });
        this.superseded += 1;
      }
      this.pump();
    });
  }

  private pump(): void {
    while (this.active < this.concurrency && this.pending.size > 0) {
      const [key, row] = this.pending.entries().next().value as [string, PendingRow];
      this.pending.delete(key);
      this.active += 1;
      context
        .with(row.context, () => this.write(row.partial))
        .then(
          () => row.waiters.forEach((waiter) => waiter.resolve()),
          (error: unknown) => row.waiters.forEach((waiter) => waiter.reject(error)),
        )
        .finally(() => {
          this.active -= 1;
          this.pump();
        });
    }
  }
}
