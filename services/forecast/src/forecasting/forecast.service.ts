import { GRANULARITIES } from '@pulse/contracts';
import {
  backtest,
  FORECAST_MODELS,
  type BacktestReport,
  type ForecastPoint,
  type ModelChoice,
  type TimeSeries,
} from '@pulse/forecasting';

import { status } from '@grpc/grpc-js';
import { Inject, Injectable } from '@nestjs/common';

import { CLOCK, type Clock } from '../clock.js';
import { FORECAST_CONFIG, historyWindows, type ForecastConfig } from '../forecast.config.js';
import { actualOf, toTimeSeries } from '../history/history-series.js';
import { StoreHistory, StoreReadError } from '../history/store-history.js';
import { latestClosedWindow, type ClosingRule } from '../history/window-schedule.js';
import { BudgetExceededError, type CallBudget } from './call-budget.js';
import { type BacktestQuery, type ForecastQuery, type SeriesRef } from './forecast-requests.js';
import { ModelCache, planRefresh, type CachedModel } from './model-cache.js';

/** Who a call reads for: the tenant of its API key, and the key itself (sent on to the store). */
export interface Caller {
  readonly tenant: string;
  readonly apiKey: string;
}

export interface ForecastResult {
  readonly query: ForecastQuery;
  readonly model: CachedModel;
  readonly points: readonly ForecastPoint[];
}

export interface BacktestResult {
  readonly query: BacktestQuery;
  readonly reports: readonly BacktestReport[];
  readonly historyStart: number;
  readonly historyEnd: number;
}

/** Every metric is a count or an amount: means and lower bounds are clipped at 0. */
const FIT_OPTIONS = { nonNegative: true } as const;

/** Lets timers and I/O (deadlines, cancellations, health checks) run between synchronous fits. */
const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Forecast and Backtest: history from the store, models from @pulse/forecasting. Fitted models
 * are cached per (tenant, metric, dimension, granularity, model): a call brings its model up to
 * date with the windows that closed since (FittedModel.update), or refits it on the refit policy.
 */
@Injectable()
export class ForecastService {
  private readonly cache: ModelCache<CachedModel>;
  private readonly rule: ClosingRule;

  constructor(
    @Inject(FORECAST_CONFIG) private readonly config: ForecastConfig,
    private readonly history: StoreHistory,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.cache = new ModelCache(config.PULSE_FORECAST_CACHE_MAX_MODELS);
    this.rule = {
      allowedLatenessMs: config.PULSE_AGGREGATOR_ALLOWED_LATENESS_MS,
      outOfOrdernessMs: config.PULSE_AGGREGATOR_OUT_OF_ORDERNESS_MS,
    };
  }

  /**
   * @throws InsufficientHistoryError, StoreReadError, BudgetExceededError
   */
  async forecast(caller: Caller, query: ForecastQuery, budget: CallBudget): Promise<ForecastResult> {
    const key = [caller.tenant, query.metric, query.dimension, query.granularity, query.model].join('\u0000');
    const nextOrigin = this.nextOrigin(query);
    const refresh = () =>
      this.cache.refresh(key, (current) => this.refreshModel(current, caller, query, query.model, nextOrigin, budget));
    let model: CachedModel;
    try {
      model = await budget.race(refresh());
    } catch (error) {
      // A refresh shared with a caller whose own deadline ran out: run one with this budget.
      if (!isBudgetFailure(error) || budget.exceeded()) throw error;
      model = await budget.race(refresh());
    }
    budget.check();
    return { query, model, points: model.fitted.forecast(query.horizon, query.levels) };
  }

  /**
   * Each model's rolling-origin backtest on the same history and origins (the history's last
   * windows; the last origin's forecast ends with the last closed window).
   * @throws InsufficientHistoryError, StoreReadError, BudgetExceededError
   */
  async backtest(caller: Caller, query: BacktestQuery, budget: CallBudget): Promise<BacktestResult> {
    const series = await budget.race(this.readHistory(caller, query, this.nextOrigin(query), budget));
    const reports: BacktestReport[] = [];
    for (const model of query.models) {
      await yieldToEventLoop();
      budget.check();
      reports.push(
        backtest(series, model, {
          ...FIT_OPTIONS,
          origins: query.origins,
          horizon: query.horizon,
          stride: query.stride,
          levels: query.levels,
        }),
      );
    }
    budget.check();
    return {
      query,
      reports,
      historyStart: firstObserved(series),
      historyEnd: series.start + series.values.length * series.stepMs,
    };
  }

  /** The first window that is not closed yet: where forecasts start and history ends. */
  private nextOrigin(series: SeriesRef): number {
    return latestClosedWindow(series.granularity, this.clock(), this.rule) + GRANULARITIES[series.granularity];
  }

  private async refreshModel(
    current: CachedModel | undefined,
    caller: Caller,
    series: SeriesRef,
    model: ModelChoice,
    nextOrigin: number,
    budget: CallBudget,
  ): Promise<CachedModel> {
    const now = this.clock();
    const plan = planRefresh(current, nextOrigin, now, {
      refitIntervalMs: this.config.PULSE_FORECAST_REFIT_INTERVAL_MS,
      refitAfterWindows: this.config.PULSE_FORECAST_REFIT_AFTER_WINDOWS,
    });
    if (plan.kind === 'current' && current) return current;
    if (plan.kind === 'update' && current) {
      const size = GRANULARITIES[series.granularity];
      const stored = await this.history.windows(caller.apiKey, series, plan.from, nextOrigin, budget.deadline);
      const byStart = new Map(stored.map((window) => [window.start, window]));
      const values = Array.from(
        { length: plan.windows },
        (_, i) => actualOf(byStart, plan.from + i * size, this.config.PULSE_FORECAST_ABSENT_WINDOWS)?.value ?? null,
      );
      return {
        ...current,
        fitted: current.fitted.update(values),
        windowsSinceFit: current.windowsSinceFit + values.length,
      };
    }
    const history = await this.readHistory(caller, series, nextOrigin, budget);
    await yieldToEventLoop();
    budget.check();
    return {
      fitted: FORECAST_MODELS[model].fit(history, FIT_OPTIONS),
      fittedAt: now,
      windowsSinceFit: 0,
      historyStart: firstObserved(history),
    };
  }

  /** The configured number of windows of history before `nextOrigin`. */
  private async readHistory(
    caller: Caller,
    series: SeriesRef,
    nextOrigin: number,
    budget: CallBudget,
  ): Promise<TimeSeries> {
    const size = GRANULARITIES[series.granularity];
    const count = historyWindows(this.config, series.granularity);
    const from = nextOrigin - count * size;
    const stored = await this.history.windows(caller.apiKey, series, from, nextOrigin, budget.deadline);
    return toTimeSeries(stored, from, count, size, this.config.PULSE_FORECAST_ABSENT_WINDOWS);
  }
}

function firstObserved(series: TimeSeries): number {
  const first = series.values.findIndex((value) => value !== null);
  return series.start + Math.max(0, first) * series.stepMs;
}

function isBudgetFailure(error: unknown): boolean {
  return (
    error instanceof BudgetExceededError ||
    (error instanceof StoreReadError && (error.code === status.DEADLINE_EXCEEDED || error.code === status.CANCELLED))
  );
}
