import { ForecastClient, isServiceError } from '@pulse/client';
import { proto } from '@pulse/contracts';

import { status } from '@grpc/grpc-js';

import { commonHelp, connection, parseOptions, positiveInteger } from '../cli-options.js';
import { CommandFailure, type Command } from '../command.js';
import { formatWindow, toJson } from '../output/format.js';
import { renderTable } from '../output/table.js';
import { UsageError } from '../usage-error.js';

const { ForecastModel } = proto.pulse.forecast.v1;

const MODELS: Record<string, proto.pulse.forecast.v1.ForecastModel> = {
  auto: ForecastModel.FORECAST_MODEL_AUTO,
  linear: ForecastModel.FORECAST_MODEL_LINEAR,
  'holt-winters': ForecastModel.FORECAST_MODEL_HOLT_WINTERS,
  'seasonal-naive': ForecastModel.FORECAST_MODEL_SEASONAL_NAIVE,
};

const OPTIONS = {
  metric: { type: 'string', default: 'revenue' },
  dimension: { type: 'string', default: 'all' },
  granularity: { type: 'string', default: '1h' },
  horizon: { type: 'string', default: '24' },
  model: { type: 'string', default: 'auto' },
  levels: { type: 'string', default: '0.8,0.95' },
  forecast: { type: 'string' },
} as const;

export const forecastCommand: Command = {
  name: 'forecast',
  summary: 'forecast a metric with prediction intervals (the forecast service)',
  help: `usage: pulse forecast [--metric M] [--dimension D] [--granularity 1h|1d] [--horizon N]
                      [--model auto|linear|holt-winters|seasonal-naive] [--levels 0.8,0.95]
                      [--forecast HOST:PORT]

Asks the forecast service (pulse.forecast.v1.ForecastService) for the next N windows of a metric.
Until that service implements its models (issue 6) it answers UNIMPLEMENTED, and this command
says so and exits 1.

  --metric M           default revenue
  --dimension D        default all
  --granularity G      1h (default) or 1d
  --horizon N          future windows (default 24)
  --model NAME         auto (default), linear, holt-winters, seasonal-naive
  --levels L[,L...]    prediction interval levels (default 0.8,0.95)
  --forecast HOST:PORT the forecast service (env PULSE_FORECAST_ADDR; default 127.0.0.1:50052)

${commonHelp({ store: false, times: false })}`,

  async run({ argv, env, out }) {
    const values = parseOptions(argv, OPTIONS);
    if (values.help) return out(this.help);
    const target = connection(values, env, {
      option: '--forecast',
      address: values.forecast ?? env.PULSE_FORECAST_ADDR ?? '127.0.0.1:50052',
    });
    if (values.granularity !== '1h' && values.granularity !== '1d') {
      throw new UsageError(`--granularity: ${JSON.stringify(values.granularity)} is not 1h or 1d`);
    }
    const model = MODELS[values.model];
    if (model === undefined) {
      throw new UsageError(`--model: ${JSON.stringify(values.model)} is not one of ${Object.keys(MODELS).join(', ')}`);
    }
    const levels = values.levels.split(',').map(Number);
    if (levels.some((level) => !(level > 0 && level < 1))) {
      throw new UsageError(`--levels: ${JSON.stringify(values.levels)} is not a list of levels between 0 and 1`);
    }
    const client = new ForecastClient(target);
    try {
      const response = await client.forecast({
        metric: values.metric,
        dimension: values.dimension,
        granularity: values.granularity,
        horizon: positiveInteger(values.horizon, '--horizon', 24),
        model,
        intervalLevels: levels,
      });
      if (values.json) return out(JSON.stringify(toJson(response), null, 2));
      // Intervals per level (issue 6's contract), or the first contract's single lower/upper.
      const points = response.points as unknown as ReadonlyArray<{
        windowStart?: { seconds: number };
        value: number;
        intervals?: ReadonlyArray<{ level: number; lower: number; upper: number }>;
        lower?: number;
        upper?: number;
      }>;
      const intervalsOf = (point: (typeof points)[number]) =>
        point.intervals ?? [
          { level: levels[levels.length - 1] ?? 0, lower: point.lower ?? 0, upper: point.upper ?? 0 },
        ];
      const shown = points[0] ? intervalsOf(points[0]).map((interval) => interval.level) : [];
      out(
        renderTable(
          [
            { header: 'window (UTC)' },
            { header: 'forecast', align: 'right' },
            ...shown.map((level) => ({ header: `${Math.round(level * 100)}% interval`, align: 'right' as const })),
          ],
          points.map((point) => [
            formatWindow((point.windowStart?.seconds ?? 0) * 1000, values.granularity === '1d'),
            point.value.toFixed(1),
            ...intervalsOf(point).map((interval) => `${interval.lower.toFixed(1)} … ${interval.upper.toFixed(1)}`),
          ]),
        ),
      );
      out(`# ${values.metric} of ${values.dimension}, model ${response.model}`);
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
