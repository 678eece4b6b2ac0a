import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';

import { AlertStream } from '../alerts/alert-stream.js';
import { CLOCK, type Clock } from '../clock.js';
import { FORECAST_CONFIG, historyWindows, watchListsOf, type ForecastConfig } from '../forecast.config.js';
import { StoreHistory } from '../history/store-history.js';
import { AnomalyWatcher, type TickReport } from './anomaly-watcher.js';
import { registryTenants, type WatchTenant } from './watch-keys.js';

/** The tenants the watcher watches (from PULSE_FORECAST_WATCH_KEYS_FILE, loaded before Nest starts). */
export const WATCH_TENANTS = Symbol('WATCH_TENANTS');

/**
 * Runs the anomaly watcher every PULSE_FORECAST_WATCH_INTERVAL_MS (ticks never overlap) and lets
 * the last tick finish on shutdown, before the NATS connection drains.
 */
@Injectable()
export class AnomalyWatchService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AnomalyWatchService.name);
  /** Undefined when no tenant is watched. */
  readonly watcher?: AnomalyWatcher;
  private timer?: NodeJS.Timeout;
  private running?: Promise<TickReport | undefined>;

  constructor(
    @Inject(FORECAST_CONFIG) private readonly config: ForecastConfig,
    @Inject(WATCH_TENANTS) tenants: WatchTenant[],
    history: StoreHistory,
    alerts: AlertStream,
    @Inject(CLOCK) clock: Clock,
  ) {
    if (tenants.length === 0) return;
    this.watcher = new AnomalyWatcher(
      tenants,
      {
        rule: {
          allowedLatenessMs: config.PULSE_AGGREGATOR_ALLOWED_LATENESS_MS,
          outOfOrdernessMs: config.PULSE_AGGREGATOR_OUT_OF_ORDERNESS_MS,
        },
        lists: watchListsOf(config),
        topProducts: config.PULSE_FORECAST_WATCH_TOP_PRODUCTS,
        historyWindows: (granularity) => historyWindows(config, granularity),
        catchUpWindows: config.PULSE_FORECAST_WATCH_CATCH_UP_WINDOWS,
        closeWaitMs: config.PULSE_FORECAST_WATCH_CLOSE_WAIT_MS,
        refit: {
          refitIntervalMs: config.PULSE_FORECAST_REFIT_INTERVAL_MS,
          refitAfterWindows: config.PULSE_FORECAST_REFIT_AFTER_WINDOWS,
        },
        absent: config.PULSE_FORECAST_ABSENT_WINDOWS,
        storeTimeoutMs: config.PULSE_FORECAST_STORE_TIMEOUT_MS,
      },
      history,
      alerts,
      clock,
    );
  }

  onApplicationBootstrap(): void {
    if (!this.watcher) {
      this.logger.log('anomaly watcher off: PULSE_FORECAST_WATCH_KEYS_FILE names no tenant');
      return;
    }
    const tenants = this.watcher.watched.map((watched) => watched.tenant);
    this.logger.log(
      `anomaly watcher on for ${tenants.join(', ')}, every ${this.config.PULSE_FORECAST_WATCH_INTERVAL_MS} ms`,
    );
    const unwatched = registryTenants(this.config.PULSE_API_KEYS_FILE).filter((tenant) => !tenants.includes(tenant));
    if (unwatched.length > 0) {
      this.logger.warn(`not watched (no key in PULSE_FORECAST_WATCH_KEYS_FILE): ${unwatched.join(', ')}`);
    }
    this.timer = setInterval(() => void this.tick(), this.config.PULSE_FORECAST_WATCH_INTERVAL_MS);
  }

  /** One tick now, or the one already running. */
  tick(): Promise<TickReport | undefined> {
    if (!this.watcher) return Promise.resolve(undefined);
    this.running ??= this.watcher
      .tick()
      .catch((error: unknown) => {
        this.logger.error(`watch tick failed: ${(error as Error)?.stack ?? String(error)}`);
        return undefined;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
