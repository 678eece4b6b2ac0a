import { type FittedModel } from '@pulse/forecasting';

/** When a cached model is refitted rather than updated with the windows that closed since. */
export interface RefitPolicy {
  /** Refit once the fit is this old (by the service clock). */
  readonly refitIntervalMs: number;
  /** Refit once this many windows closed since the fit. */
  readonly refitAfterWindows: number;
}

/** A fitted model and what the cache needs to know to keep it current. */
export interface CachedModel {
  /** Its origin is the first window it has not seen: the next window to close. */
  readonly fitted: FittedModel;
  /** Service clock at the fit. */
  readonly fittedAt: number;
  /** Windows the model was updated with since the fit. */
  readonly windowsSinceFit: number;
  /** First window of the fit's history with data. */
  readonly historyStart: number;
}

export type Refresh =
  | { readonly kind: 'current' }
  | { readonly kind: 'update'; readonly from: number; readonly windows: number }
  | { readonly kind: 'refit' };

/**
 * What to do with a cached model so it has seen every window before `nextOrigin` (the first window
 * not closed yet): nothing, update it with the windows that closed since (cheap: no refit), or
 * refit it — when there is none, when it is older than the refit interval, when enough windows
 * closed since the fit, or when the clock went back before its origin.
 */
export function planRefresh(
  cached: CachedModel | undefined,
  nextOrigin: number,
  now: number,
  policy: RefitPolicy,
): Refresh {
  if (!cached) return { kind: 'refit' };
  const behind = (nextOrigin - cached.fitted.origin) / cached.fitted.stepMs;
  if (behind < 0 || !Number.isInteger(behind)) return { kind: 'refit' };
  if (now - cached.fittedAt >= policy.refitIntervalMs) return { kind: 'refit' };
  if (cached.windowsSinceFit + behind >= policy.refitAfterWindows) return { kind: 'refit' };
  if (behind === 0) return { kind: 'current' };
  return { kind: 'update', from: cached.fitted.origin, windows: behind };
}

/**
 * Least-recently-used entries with single-flight refreshes: concurrent refreshes of one key share
 * one run (one store read and one fit for a dashboard full of callers).
 */
export class ModelCache<V> {
  private readonly entries = new Map<string, V>();
  private readonly refreshing = new Map<string, Promise<V>>();

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  peek(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** The entry `refresh` makes of the current one (undefined when absent); kept unless it throws. */
  refresh(key: string, refresh: (current: V | undefined) => Promise<V>): Promise<V> {
    const running = this.refreshing.get(key);
    if (running) return running;
    const run = (async () => {
      try {
        const next = await refresh(this.entries.get(key));
        this.entries.delete(key);
        this.entries.set(key, next);
        while (this.entries.size > this.maxEntries) {
          const oldest = this.entries.keys().next().value as string;
          this.entries.delete(oldest);
        }
        return next;
      } finally {
        this.refreshing.delete(key);
      }
    })();
    this.refreshing.set(key, run);
    return run;
  }
}
