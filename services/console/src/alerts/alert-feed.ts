import { type proto } from '@pulse/contracts';

import { status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';

import { type AlertsMode, type AlertView } from '../dashboard/dashboard-snapshot.js';
import { alertView, mergeAlerts } from './alert-view.js';
import { type ForecastAlertsClient } from './forecast-alerts.client.js';

/** Alerts may be stamped in the stream slightly before the watcher's clock says: replay with margin. */
const REPLAY_MARGIN_MS = 10_000;
const POLL_MS = 5_000;

export interface AlertFeedOptions {
  lookbackMs: number;
  shown: number;
  onChange: () => void;
  now?: () => number;
}

/**
 * One tenant's recent alerts, kept current: the retained ones read with ListAlerts, then a
 * WatchAlerts stream. When the stream ends or fails (the forecast service restarting, NATS away)
 * it lists what it missed and watches again with `since`; a forecast service without WatchAlerts
 * (UNIMPLEMENTED) is polled with ListAlerts instead.
 */
export class AlertFeed {
  private readonly logger = new Logger(AlertFeed.name);
  private alerts: AlertView[] = [];
  private modeNow: AlertsMode = 'unavailable';
  private call?: ClientReadableStream<proto.pulse.forecast.v1.WatchAlertsResponse>;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private failures = 0;
  private watchSupported = true;
  private readonly now: () => number;

  constructor(
    private readonly client: ForecastAlertsClient,
    private readonly options: AlertFeedOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get mode(): AlertsMode {
    return this.modeNow;
  }

  get recent(): readonly AlertView[] {
    return this.alerts;
  }

  start(): void {
    void this.connect(this.now() - this.options.lookbackMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.call?.cancel();
    this.call = undefined;
  }

  private async connect(since: number): Promise<void> {
    if (this.stopped) return;
    const startedAt = this.now();
    try {
      this.add((await this.client.listSince(since)).map(alertView));
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      this.setMode('unavailable');
      if (this.failures === 1) this.logger.warn(`ListAlerts failed: ${(error as Error).message}`);
      this.retry(since);
      return;
    }
    if (!this.watchSupported) {
      this.setMode('polling');
      this.timer = setTimeout(() => void this.connect(startedAt - REPLAY_MARGIN_MS), POLL_MS);
      return;
    }
    this.watch(startedAt - REPLAY_MARGIN_MS);
  }

  private watch(since: number): void {
    if (this.stopped) return;
    const call = this.client.watch(since);
    this.call = call;
    this.setMode('live');
    call.on('data', (response: proto.pulse.forecast.v1.WatchAlertsResponse) => {
      if (response.alert) this.add([alertView(response.alert)]);
    });
    let ended = false;
    // What was raised while the stream was down is replayed by the next connect's ListAlerts.
    const again = () => this.retry(this.now() - REPLAY_MARGIN_MS);
    // A stream the server closes without an error (it should not) is watched again all the same.
    call.on('end', () => {
      if (ended || this.stopped || this.call !== call) return;
      ended = true;
      this.setMode('unavailable');
      again();
    });
    call.on('error', (error: ServiceError) => {
      if (ended || this.stopped || error.code === status.CANCELLED) return;
      ended = true;
      if (error.code === status.UNIMPLEMENTED) {
        this.watchSupported = false;
        this.logger.warn('the forecast service has no WatchAlerts: polling ListAlerts');
      } else {
        this.logger.warn(`WatchAlerts ended (${error.details || error.message}): watching again`);
      }
      this.setMode(this.watchSupported ? 'unavailable' : 'polling');
      again();
    });
  }

  private retry(since: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const delay = Math.min(10_000, 500 * 2 ** Math.min(this.failures, 5));
    this.timer = setTimeout(() => void this.connect(since), delay);
  }

  private add(arrived: AlertView[]): void {
    if (arrived.length === 0) return;
    const merged = mergeAlerts(this.alerts, arrived, this.options.shown);
    if (JSON.stringify(merged) === JSON.stringify(this.alerts)) return;
    this.alerts = merged;
    this.options.onChange();
  }

  private setMode(mode: AlertsMode): void {
    if (mode === this.modeNow) return;
    this.modeNow = mode;
    this.options.onChange();
  }
}
