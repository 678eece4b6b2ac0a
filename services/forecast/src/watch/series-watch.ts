import {
  classify,
  DEFAULT_ANOMALY_RULE,
  type AnomalyRule,
  type AnomalyVerdict,
  type FittedModel,
  type ForecastPoint,
} from '@pulse/forecasting';

import { type StoredWindow } from '../history/history-series.js';

/** One closed window checked against its one-step-ahead forecast. */
export interface WindowCheck {
  readonly point: ForecastPoint;
  /** Undefined for a window without an actual (nothing to judge). */
  readonly verdict?: AnomalyVerdict;
  /** The model one window later. */
  readonly next: FittedModel;
}

/**
 * Compares the actual of the model's next window with the forecast (the anomaly rule of
 * @pulse/forecasting) and moves the model past the window. An anomalous window moves it with the
 * forecast mean, not the actual, so a spike or drop does not drag the level (and the next
 * windows' forecasts) along; a window without an actual moves it with its own forecast.
 */
export function checkWindow(
  model: FittedModel,
  actual: number | undefined,
  rule: AnomalyRule = DEFAULT_ANOMALY_RULE,
): WindowCheck {
  const [point] = model.forecast(1, [rule.level]);
  if (actual === undefined) return { point, next: model.update([null]) };
  const verdict = classify(actual, point, rule);
  return { point, verdict, next: model.update([verdict.anomalous ? point.mean : actual]) };
}

/**
 * Whether a closed window can be judged now: its stored point is final (every partition emitted
 * its closed partial), or it has no point, or the wait for the final point is over (a stalled
 * partition must not hold the watcher back forever). A point that is not final yet may still be
 * missing events of a lagging partition, which would look like a drop.
 */
export function isSettled(
  actual: StoredWindow | undefined,
  closesAt: number,
  now: number,
  closeWaitMs: number,
): boolean {
  return actual === undefined || actual.closed || now >= closesAt + closeWaitMs;
}
