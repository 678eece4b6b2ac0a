import { GRANULARITIES, type AlertV1, type DimensionKind, type Granularity, type Metric } from '@pulse/contracts';
import { FORECAST_MODELS, InsufficientHistoryError, type FittedModel } from '@pulse/forecasting';

import { status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';

import { buildAlert, type WatchedSeries } from '../alerts/alert-message.js';
import { type WatchLists } from '../forecast.config.js';
import { type SeriesRef } from '../forecasting/forecast-requests.js';
import { type RefitPolicy } from '../forecasting/model-cache.js';
import {
  actualOf,
  toTimeSeries,
  withoutWindows,
  type AbsentWindows,
  type StoredWindow,
} from '../history/history-series.js';
import { StoreReadError } from '../history/store-history.js';
import { closedWindowsFrom, latestClosedWindow, windowClosesAt, type ClosingRule } from '../history/window-schedule.js';
import { checkWindow, isSettled } from './series-watch.js';
import { type WatchTenant } from './watch-keys.js';
import { seriesKey, watchedSeries } from './watch-plan.js';

/** What the watcher reads from the store (StoreHistory). */
export interface WatchHistory {
  windows(apiKey: string, series: SeriesRef, from: number, to: number, deadline: number): Promise<StoredWindow[]>;
  top(
    apiKey: string,
    kind: DimensionKind,
    metric: Metric,
    from: number,
    to: number,
    k: number,
    deadline: number,
  ): Promise<Array<{ dimension: string; overflow: boolean }>>;
}

/** Where the watcher sends alerts (AlertStream). */
export interface WatchAlerts {
  publish(alert: AlertV1): Promise<{ duplicate: boolean }>;
  /** Every retained alert of the tenant (since the given stream time, if any). */
  recent(tenant: string, since?: number): Promise<AlertV1[]>;
}

export interface WatcherSettings {
  readonly rule: ClosingRule;
  readonly lists: WatchLists;
  /** Top products by revenue watched besides the configured dimensions. */
  readonly topProducts: number;
  readonly historyWindows: (granularity: Granularity) => number;
  readonly catchUpWindows: number;
  readonly closeWaitMs: number;
  readonly refit: RefitPolicy;
  readonly absent: AbsentWindows;
  readonly storeTimeoutMs: number;
}

export interface TickReport {
  /** Windows judged. */
  readonly checked: number;
  /** Alerts published in this tick. */
  readonly raised: readonly AlertV1[];
  /** Series or tenants whose check failed (logged). */
  readonly failures: number;
}

/** The top products are re-ranked this often (service clock), over the last TOP_RANGE_MS. */
const TOP_REFRESH_MS = 6 * 3_600_000;
const TOP_RANGE_MS = 7 * 86_400_000;

interface SeriesState {
  /** Its origin is the next window to judge. */
  model?: FittedModel;
  fittedAt: number;
  windowsSinceFit: number;
  /** No new attempt before this (a history too short, a failed fit). */
  retryAt: number;
}

interface TenantState {
  seeded: boolean;
  topProducts: string[];
  topRankedAt: number;
  /** Ids of the alerts raised (or found in the stream) → their window start. */
  readonly raised: Map<string, number>;
  /** Anomalous windows per series key: kept out of refits (the model never learns a spike). */
  readonly anomalies: Map<string, Set<number>>;
}

class TickCounter {
  checked = 0;
  failures = 0;
  readonly raised: AlertV1[] = [];
}

/**
 * The anomaly watcher: on each tick (the service clock's now), for every watched series of every
 * tenant, judges the windows that closed since the last tick against their one-step-ahead
 * forecast and publishes an alert for each anomalous one. One model per series (auto), fitted on
 * the history before the first window to judge with earlier anomalies left out, then moved window
 * by window (an anomalous window with the forecast mean), refitted on the refit policy.
 *
 * At most `catchUpWindows` windows per series are judged in one go: at start-up the latest ones
 * (with the alerts already in the stream read back first, so none is raised twice), after a long
 * outage the latest ones again. A window is judged once its stored point is final (see
 * isSettled); a publish that fails leaves the window to the next tick.
 */
export class AnomalyWatcher {
  private readonly reportedShortHistory = new Set<string>();
  private readonly logger = new Logger(AnomalyWatcher.name);
  private readonly series = new Map<string, SeriesState>();
  private readonly tenants = new Map<string, TenantState>();

  constructor(
    readonly watched: readonly WatchTenant[],
    private readonly settings: WatcherSettings,
    private readonly history: WatchHistory,
    private readonly alerts: WatchAlerts,
    private readonly clock: () => number,
  ) {}

  async tick(): Promise<TickReport> {
    const now = this.clock();
    const counter = new TickCounter();
    for (const tenant of this.watched) {
      try {
        await this.tickTenant(tenant, now, counter);
      } catch (error) {
        counter.failures += 1;
        this.logger.warn(`tenant ${tenant.tenant}: watch tick stopped: ${(error as Error).message}`);
      }
    }
    return counter;
  }

  private async tickTenant(watch: WatchTenant, now: number, counter: TickCounter): Promise<void> {
    const tenant = this.tenantState(watch.tenant);
    if (!tenant.seeded) {
      for (const alert of await this.alerts.recent(watch.tenant)) {
        tenant.raised.set(alert.id, alert.window_start);
        this.anomaliesOf(tenant, seriesKey({ ...alert, metric: alert.metric as Metric })).add(alert.window_start);
      }
      tenant.seeded = true;
    }
    if (this.settings.topProducts > 0 && now - tenant.topRankedAt >= TOP_REFRESH_MS) {
      await this.rankTopProducts(watch, tenant, now);
    }
    const plan = watchedSeries(watch.tenant, this.settings.lists, tenant.topProducts);
    for (const series of plan) {
      try {
        await this.watchSeries(watch, tenant, series, now, counter);
      } catch (error) {
        // A store that cannot be reached fails every series alike: stop the tenant's tick.
        if (error instanceof StoreReadError && error.code === status.UNAVAILABLE) throw error;
        counter.failures += 1;
        this.logger.warn(`${describe(series)}: not checked: ${(error as Error).message}`);
      }
    }
    const current = new Set(plan.map(seriesKey));
    for (const key of this.series.keys()) {
      if (key.startsWith(`${watch.tenant}\u0000`) && !current.has(key)) this.series.delete(key);
    }
    this.prune(tenant, now);
  }

  private async watchSeries(
    watch: WatchTenant,
    tenant: TenantState,
    series: WatchedSeries,
    now: number,
    counter: TickCounter,
  ): Promise<void> {
    const key = seriesKey(series);
    const state = this.series.get(key) ?? { fittedAt: 0, windowsSinceFit: 0, retryAt: 0 };
    this.series.set(key, state);
    if (now < state.retryAt) return;
    const { granularity } = series;
    const size = GRANULARITIES[granularity];
    const catchUp = this.settings.catchUpWindows;
    const latest = latestClosedWindow(granularity, now, this.settings.rule);
    const due = closedWindowsFrom(
      granularity,
      state.model?.origin ?? latest - (catchUp - 1) * size,
      now,
      this.settings.rule,
      catchUp,
    );
    if (due.length === 0) return;
    const first = due[0];
    const refit =
      !state.model ||
      state.model.origin !== first ||
      now - state.fittedAt >= this.settings.refit.refitIntervalMs ||
      state.windowsSinceFit >= this.settings.refit.refitAfterWindows;
    const historyCount = refit ? this.settings.historyWindows(granularity) : 0;
    const from = first - historyCount * size;
    const stored = await this.history.windows(watch.apiKey, series, from, latest + size, this.deadline());

    let model = state.model;
    if (refit || !model) {
      const history = withoutWindows(
        toTimeSeries(stored, from, historyCount, size, this.settings.absent),
        this.anomaliesOf(tenant, key),
      );
      await new Promise((resolve) => setImmediate(resolve));
      try {
        model = FORECAST_MODELS.auto.fit(history, { nonNegative: true });
      } catch (error) {
        state.model = undefined;
        state.retryAt = windowClosesAt(latest + size, granularity, this.settings.rule);
        if (error instanceof InsufficientHistoryError) {
          // Once per series: the watcher retries every closed window until the history is long enough.
          if (!this.reportedShortHistory.has(key)) {
            this.reportedShortHistory.add(key);
            this.logger.debug(`${describe(series)}: not watched yet: ${error.message}`);
          }
          return;
        }
        throw error;
      }
      state.model = model;
      state.fittedAt = now;
      state.windowsSinceFit = 0;
    }

    // A model exists, so the series has data before these windows: in `zero` mode an absent one is 0.
    const byStart = new Map(stored.filter((w) => w.start >= first).map((w) => [w.start, w]));
    for (const start of due) {
      const actual = actualOf(byStart, start, this.settings.absent);
      if (!isSettled(actual, windowClosesAt(start, granularity, this.settings.rule), now, this.settings.closeWaitMs)) {
        return; // judged on a later tick, once final
      }
      const check = checkWindow(model, actual?.value);
      if (check.verdict?.anomalous && actual) {
        const alert = buildAlert(series, start, actual.value, check.point, check.verdict, model.model, now);
        if (!tenant.raised.has(alert.id)) {
          await this.alerts.publish(alert); // throws: the window stays due for the next tick
          tenant.raised.set(alert.id, start);
          counter.raised.push(alert);
        }
        this.anomaliesOf(tenant, key).add(start);
      }
      model = check.next;
      state.model = model;
      state.windowsSinceFit += 1;
      counter.checked += 1;
    }
  }

  private async rankTopProducts(watch: WatchTenant, tenant: TenantState, now: number): Promise<void> {
    const end = latestClosedWindow('1h', now, this.settings.rule) + GRANULARITIES['1h'];
    tenant.topRankedAt = now;
    try {
      const ranked = await this.history.top(
        watch.apiKey,
        'product',
        'revenue',
        end - TOP_RANGE_MS,
        end,
        this.settings.topProducts,
        this.deadline(),
      );
      tenant.topProducts = ranked.filter((r) => !r.overflow).map((r) => r.dimension);
    } catch (error) {
      if (error instanceof StoreReadError && error.code === status.UNAVAILABLE) throw error;
      this.logger.warn(
        `tenant ${watch.tenant}: top products not ranked (${(error as Error).message}); ` +
          `watching ${tenant.topProducts.length > 0 ? 'the previous ranking' : 'the configured dimensions only'}`,
      );
    }
  }

  private tenantState(tenant: string): TenantState {
    let state = this.tenants.get(tenant);
    if (!state) {
      state = { seeded: false, topProducts: [], topRankedAt: -Infinity, raised: new Map(), anomalies: new Map() };
      this.tenants.set(tenant, state);
    }
    return state;
  }

  private anomaliesOf(tenant: TenantState, key: string): Set<number> {
    let windows = tenant.anomalies.get(key);
    if (!windows) {
      windows = new Set();
      tenant.anomalies.set(key, windows);
    }
    return windows;
  }

  /** Forgets raised ids no tick can judge again and anomalies older than any refit's history. */
  private prune(tenant: TenantState, now: number): void {
    const sizes = this.settings.lists.granularities.map((g) => GRANULARITIES[g]);
    const largest = Math.max(...sizes, GRANULARITIES['1h']);
    const delay = this.settings.rule.allowedLatenessMs + this.settings.rule.outOfOrdernessMs;
    const judgeable = now - (this.settings.catchUpWindows + 2) * largest - delay - this.settings.closeWaitMs;
    for (const [id, start] of tenant.raised) if (start < judgeable) tenant.raised.delete(id);
    const longest = Math.max(
      ...this.settings.lists.granularities.map((g) => this.settings.historyWindows(g) * GRANULARITIES[g]),
    );
    for (const windows of tenant.anomalies.values()) {
      for (const start of windows) if (start < now - longest - largest) windows.delete(start);
    }
  }

  private deadline(): number {
    return Date.now() + this.settings.storeTimeoutMs;
  }
}

function describe(series: WatchedSeries): string {
  return `${series.tenant} ${series.metric} ${series.dimension} ${series.granularity}`;
}
