/** The fitted models, simplest first: on equal backtest scores `auto` keeps the earlier one. */
export const MODEL_NAMES = ['seasonal_naive', 'linear', 'holt_winters'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** What a caller may ask for: one model, or `auto` (lowest rolling-origin backtest MASE). */
export const MODEL_CHOICES = ['auto', ...MODEL_NAMES] as const;
export type ModelChoice = (typeof MODEL_CHOICES)[number];
