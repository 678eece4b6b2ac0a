import { type IntervalCalibration } from './interval-calibration.js';
import { type ModelName } from './model-names.js';
import { type PointModel } from './point-model.js';
import { type ModelScore } from './rolling-origins.js';
import { isObserved } from './time-series.js';

/** Interval levels when the caller names none. */
export const DEFAULT_LEVELS: readonly number[] = [0.8, 0.95];

export interface PredictionInterval {
  readonly level: number;
  readonly lower: number;
  readonly upper: number;
}

export interface ForecastPoint {
  /** Epoch ms (UTC) of the window's start. */
  readonly t: number;
  readonly mean: number;
  /** One per requested level, in the order asked. */
  readonly intervals: readonly PredictionInterval[];
}

/** A model fitted to one series, ready to forecast the windows after its history. */
export interface FittedModel {
  /** The model that makes the forecasts (for `auto`, the one it chose). */
  readonly model: ModelName;
  /** Epoch ms of the first window a forecast starts with: the one after the last seen. */
  readonly origin: number;
  readonly stepMs: number;
  /**
   * Rolling-origin backtest scores behind the intervals (and for `auto` the choice): one per
   * candidate model, in MODEL_NAMES order; empty when the history left no room for a backtest.
   */
  readonly scores: readonly ModelScore[];
  /** Means and intervals for the next `horizon` windows. */
  forecast(horizon: number, levels?: readonly number[]): ForecastPoint[];
  /**
   * The same model after the windows that followed its history (missing ones are taken as the
   * model's own forecast). Coefficients, smoothing parameters and intervals are kept; refit to
   * learn from the new windows.
   */
  update(values: readonly (number | null)[]): FittedModel;
}

export class CalibratedModel implements FittedModel {
  constructor(
    private readonly point: PointModel,
    private readonly calibration: IntervalCalibration,
    readonly origin: number,
    readonly stepMs: number,
    private readonly nonNegative: boolean,
    readonly scores: readonly ModelScore[],
  ) {}

  get model(): ModelName {
    return this.point.name;
  }

  forecast(horizon: number, levels: readonly number[] = DEFAULT_LEVELS): ForecastPoint[] {
    if (!Number.isInteger(horizon) || horizon < 1)
      throw new RangeError(`horizon must be a positive integer, got ${horizon}`);
    for (const level of levels) {
      if (!(level > 0 && level < 1)) throw new RangeError(`interval levels must be between 0 and 1, got ${level}`);
    }
    const floor = this.nonNegative ? 0 : Number.NEGATIVE_INFINITY;
    return this.point.predict(horizon).map((raw, i) => {
      const mean = Math.max(floor, raw);
      return {
        t: this.origin + i * this.stepMs,
        mean,
        intervals: levels.map((level) => {
          const half = this.calibration.halfWidth(i + 1, level);
          return { level, lower: Math.max(floor, mean - half), upper: mean + half };
        }),
      };
    });
  }

  update(values: readonly (number | null)[]): FittedModel {
    let point = this.point;
    if (values.every(isObserved)) {
      point = point.advance(values as readonly number[]);
    } else {
      for (const value of values) point = point.advance([isObserved(value) ? value : point.predict(1)[0]]);
    }
    return new CalibratedModel(
      point,
      this.calibration,
      this.origin + values.length * this.stepMs,
      this.stepMs,
      this.nonNegative,
      this.scores,
    );
  }
}
