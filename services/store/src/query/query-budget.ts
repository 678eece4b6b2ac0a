import { QueryAbortedError } from './query-error.js';

/**
 * The time one query may take — until the call's deadline, capped by the server's query timeout
 * — as an AbortSignal the repository checks before each Cassandra read. `cancel()` ends it early
 * (the caller left). `dispose()` when the query is done.
 */
export class QueryBudget {
  readonly deadline: number;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(callDeadline: number, timeoutMs: number, now = Date.now()) {
    this.deadline = Math.min(callDeadline, now + timeoutMs);
    this.timer = setTimeout(() => this.controller.abort(new QueryAbortedError('deadline')), this.deadline - now);
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the query was stopped, if it was. */
  get aborted(): QueryAbortedError | undefined {
    return this.controller.signal.aborted ? (this.controller.signal.reason as QueryAbortedError) : undefined;
  }

  cancel(): void {
    if (!this.controller.signal.aborted) this.controller.abort(new QueryAbortedError('cancelled'));
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
