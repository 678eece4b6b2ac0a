/** A call ran out of time (its deadline or the server's query timeout) or its caller left. */
export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';

  constructor(readonly reason: 'deadline' | 'cancelled') {
    super(reason === 'deadline' ? 'the call deadline passed' : 'the caller cancelled the call');
  }
}

/**
 * The time one call may take: the caller's deadline, capped by the server's timeout. Work checks
 * it between steps (model fits are synchronous) and races awaited I/O against it, so a call stops
 * when its caller can no longer use the answer.
 */
export class CallBudget {
  private cancelled = false;
  private readonly onCancel = new Set<() => void>();

  constructor(
    /** Epoch ms (real time). */
    readonly deadline: number,
  ) {}

  /** The budget of a call with the given deadline (Infinity for none) and the server's timeout. */
  static of(callDeadline: number, timeoutMs: number, now = Date.now()): CallBudget {
    return new CallBudget(Math.min(callDeadline, now + timeoutMs));
  }

  cancel(): void {
    this.cancelled = true;
    for (const listener of this.onCancel) listener();
  }

  /** Why the budget is spent, or undefined while time remains. */
  exceeded(now = Date.now()): BudgetExceededError | undefined {
    if (this.cancelled) return new BudgetExceededError('cancelled');
    if (now >= this.deadline) return new BudgetExceededError('deadline');
    return undefined;
  }

  /** @throws BudgetExceededError once the deadline passed or the caller cancelled */
  check(): void {
    const exceeded = this.exceeded();
    if (exceeded) throw exceeded;
  }

  /** The promise's outcome, or BudgetExceededError if the budget runs out first. */
  race<T>(promise: Promise<T>): Promise<T> {
    const exceeded = this.exceeded();
    if (exceeded) {
      promise.catch(() => undefined);
      return Promise.reject(exceeded);
    }
    return new Promise<T>((resolve, reject) => {
      // setTimeout takes at most 2^31 − 1 ms; a longer budget is re-armed by no one, which is fine:
      // no call is budgeted for 24 days.
      const delay = Math.min(2 ** 31 - 1, Math.max(0, this.deadline - Date.now()));
      const timer = setTimeout(() => stop(new BudgetExceededError('deadline')), delay);
      const cancel = () => stop(new BudgetExceededError('cancelled'));
      const stop = (error: BudgetExceededError) => {
        cleanup();
        reject(error);
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.onCancel.delete(cancel);
      };
      this.onCancel.add(cancel);
      promise.then(
        (value) => {
          cleanup();
          resolve(value);
        },
        (error: unknown) => {
          cleanup();
          reject(error);
        },
      );
    });
  }
}
