import { ForecastClient, isServiceError, millis } from '@pulse/client';

import { status } from '@grpc/grpc-js';

import {
  commonHelp,
  FORECAST_HELP,
  forecastConnection,
  intervalLevels,
  parseOptions,
  positiveInteger,
} from '../cli-options.js';
import { CommandFailure, type Command } from '../command.js';
import { formatRange, formatWindow, toJson } from '../output/format.js';
import { renderTable } from '../output/table.js';
import { forecastGranularity, modelName, parseModel } from './forecast-models.js';

const OPTIONS = {
  metric: { type: 'string', default: 'revenue' },
  dimension: { type: 'string', default: 'all' },
  granularity: { type: 'string', default: '1h' },
  horizon: { type: 'string' },
  model: { type: 'string', default: 'auto' },
  levels: { type: 'string', default: '0.8,0.95' },
  forecast: { type: 'string' },
} as const;

export const forecastCommand: Command = {
  name: 'forecast',
  summary: 'forecast a metric with prediction intervals (the forecast service)',
  help: `usage: pulse forecast [--metric M] [--dimension D] [--granularity 1m|1h|1d] [--horizon N]
                      [--model auto|linear|holt-winters|seasonal-naive] [--levels 0.8,0.95]
                      [--forecast HOST:PORT]

Asks the forecast service (pulse.forecast.v1.ForecastService) for the next N windows of a metric,
from the first window that is not closed yet: the forecast mean and one interval per level, the
model (for auto, the one it chose) and its backtest scores.

  --metric M           default revenue (money in minor units of the base currency)
  --dimension D        default all; product:SKU-1, country:GB, ...
  --granularity G      1h (default), 1m or 1d
  --horizon N          future windows (default one season: 60 for 1m, 24 for 1h, 7 for 1d)
  --model NAME         auto (default), linear, holt-winters, seasonal-naive
  --levels L[,L...]    prediction interval levels (default 0.8,0.95)
${FORECAST_HELP}

${commonHelp({ store: false, times: false })}

examples:
  pulse forecast --metric orders --horizon 48
  pulse forecast --dimension product:SKU-1 --model holt-winters --json`,

  async run({ argv, env, out }) {
    const values = parseOptions(argv, OPTIONS);
    if (values.help) return out(this.help);
    const target = forecastConnection(values, env);
    const granularity = forecastGranularity(values.granularity);
    const model = parseModel(values.model);
    const levels = intervalLevels(values.levels);
    const client = new ForecastClient(target);
    try {
      const response = await client.forecast({
        metric: values.metric,
        dimension: values.dimension,
        granularity,
        horizon: values.horizon === undefined ? 0 : positiveInteger(values.horizon, '--horizon', 0),
        model,
        intervalLevels: levels,
      });
      if (values.json) return out(JSON.stringify(toJson(response), null, 2));
      out(
        renderTable(
          [
            { header: 'window (UTC)' },
            { header: 'forecast', align: 'right' },
            ...levels.map((level) => ({
              header: `${Math.round(level * 1000) / 10}% interval`,
              align: 'right' as const,
            })),
          ],
          response.points.map((point) => [
            formatWindow(millis(point.windowStart), granularity === '1d'),
            point.value.toFixed(1),
            ...point.intervals.map((interval) => `${interval.lower.toFixed(1)} … ${interval.upper.toFixed(1)}`),
          ]),
        ),
      );
      const scores = response.scores.map((score) => `${modelName(score.model)} ${score.mase.toFixed(2)}`).join(', ');
      out(
        `# ${response.metric} of ${response.dimension} per ${response.granularity}, model ${modelName(response.model)}` +
          `${scores ? ` (backtest MASE: ${scores})` : ''}; history ${formatRange(millis(response.historyStart), millis(response.historyEnd))}`,
      );
    } catch (error) {
      if (isServiceError(error) && error.code === status.UNIMPLEMENTED) {
        throw new CommandFailure(`not available yet: the forecast service returns UNIMPLEMENTED (${error.details})`);
      }
      throw error;
    } finally {
      client.close();
    }
  },
};
