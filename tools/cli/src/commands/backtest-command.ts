import { ForecastClient, millis } from '@pulse/client';

import {
  commonHelp,
  FORECAST_HELP,
  forecastConnection,
  intervalLevels,
  list,
  parseOptions,
  positiveInteger,
} from '../cli-options.js';
import { type Command } from '../command.js';
import { formatPercent, formatRange, toJson } from '../output/format.js';
import { renderTable } from '../output/table.js';
import { forecastGranularity, modelName, parseModel } from './forecast-models.js';

const OPTIONS = {
  metric: { type: 'string', default: 'revenue' },
  dimension: { type: 'string', default: 'all' },
  granularity: { type: 'string', default: '1h' },
  horizon: { type: 'string' },
  origins: { type: 'string' },
  stride: { type: 'string' },
  models: { type: 'string', multiple: true },
  levels: { type: 'string', default: '0.8,0.95' },
  forecast: { type: 'string' },
} as const;

export const backtestCommand: Command = {
  name: 'backtest',
  summary: 'how well each forecast model did on the end of a series (rolling-origin backtest)',
  help: `usage: pulse backtest [--metric M] [--dimension D] [--granularity 1m|1h|1d] [--horizon N]
                      [--origins N] [--stride N] [--models auto,linear,...] [--levels 0.8,0.95]
                      [--forecast HOST:PORT]

Forecasts the last windows of a series' history from several origins with each model and scores
them against what happened: MASE (below 1 beats the seasonal naive baseline in sample), sMAPE,
MAE, and how often the actual fell inside each interval (coverage).

  --metric M           default revenue
  --dimension D        default all
  --granularity G      1h (default), 1m or 1d
  --horizon N          windows forecast from each origin (default one season)
  --origins N          forecast origins, 1 to 50 (default 10)
  --stride N           windows between origins (default the horizon)
  --models M[,M...]    auto, seasonal-naive, linear, holt-winters (default all four)
  --levels L[,L...]    interval levels whose coverage is measured (default 0.8,0.95)
${FORECAST_HELP}

${commonHelp({ store: false, times: false })}

example:
  pulse backtest --metric orders --origins 5 --models auto,seasonal-naive`,

  async run({ argv, env, out }) {
    const values = parseOptions(argv, OPTIONS);
    if (values.help) return out(this.help);
    const target = forecastConnection(values, env);
    const levels = intervalLevels(values.levels);
    const count = (text: string | undefined, option: string) =>
      text === undefined ? 0 : positiveInteger(text, option, 0);
    const request = {
      metric: values.metric,
      dimension: values.dimension,
      granularity: forecastGranularity(values.granularity),
      horizon: count(values.horizon, '--horizon'),
      origins: count(values.origins, '--origins'),
      stride: count(values.stride, '--stride'),
      models: list(values.models, []).map((name) => parseModel(name, '--models')),
      intervalLevels: levels,
    };
    const client = new ForecastClient(target);
    try {
      const response = await client.backtest(request);
      if (values.json) return out(JSON.stringify(toJson(response), null, 2));
      out(
        renderTable(
          [
            { header: 'model' },
            { header: 'MASE', align: 'right' },
            { header: 'sMAPE', align: 'right' },
            { header: 'MAE', align: 'right' },
            { header: 'points', align: 'right' },
            ...levels.map((level) => ({
              header: `${Math.round(level * 1000) / 10}% covered`,
              align: 'right' as const,
            })),
            { header: 'chosen' },
          ],
          response.models.map((model) => [
            modelName(model.model),
            model.mase.toFixed(3),
            `${model.smape.toFixed(1)}%`,
            model.mae.toFixed(1),
            String(model.points),
            ...model.coverage.map((coverage) => formatPercent(coverage.coverage)),
            model.chosen.map((choice) => `${modelName(choice.model)} ×${choice.origins}`).join(', '),
          ]),
        ),
      );
      out(
        `# ${response.metric} of ${response.dimension} per ${response.granularity}: ${response.origins.length} origin(s) ` +
          `${response.stride} apart forecasting ${response.horizon} window(s); history ` +
          formatRange(millis(response.historyStart), millis(response.historyEnd)),
      );
    } finally {
      client.close();
    }
  },
};
