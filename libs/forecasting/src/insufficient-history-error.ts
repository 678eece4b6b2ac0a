import { type ModelChoice } from './model-names.js';

/**
 * The history is too short for what was asked. The message names the minimum number of points for
 * the model and granularity, e.g. "holt_winters needs at least 72 points of 1h history, got 40".
 */
export class InsufficientHistoryError extends Error {
  constructor(
    readonly model: ModelChoice,
    /** Points needed (after leading missing points are dropped). */
    readonly required: number,
    /** Points the series has. */
    readonly actual: number,
    /** What the points are, e.g. "1h history" or "1h history for 10 backtest origins". */
    what: string,
  ) {
    super(`${model} needs at least ${required} points of ${what}, got ${actual}`);
    this.name = 'InsufficientHistoryError';
  }
}
