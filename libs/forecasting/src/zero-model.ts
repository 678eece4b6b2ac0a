import { type ModelName } from './model-names.js';
import { type PointModel } from './point-model.js';

/**
 * What every model amounts to on a history of zeros, without running one (their arithmetic would
 * divide by a zero scale): zeros, and no residuals, hence zero-width intervals.
 */
export class ZeroModel implements PointModel {
  readonly residuals: readonly number[] = [];

  constructor(readonly name: ModelName) {}

  predict(horizon: number): number[] {
    return new Array<number>(horizon).fill(0);
  }

  forecastsAt(origins: readonly number[], horizon: number): number[][] {
    return origins.map(() => this.predict(horizon));
  }

  advance(): PointModel {
    return this;
  }
}
