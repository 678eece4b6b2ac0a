import { MetricsClient } from '@pulse/client';
import { proto } from '@pulse/contracts';

import {
  COMMON_HELP,
  connection,
  defaultSeriesGranularity,
  granularity,
  list,
  parseOptions,
  range,
} from '../cli-options.js';
import { type Command } from '../command.js';
import { formatCount, formatRange, formatWindow, granularityName, MONEY_METRICS, toJson } from '../output/format.js';
import { renderTable } from '../output/table.js';
import { UsageError } from '../usage-error.js';

const { GapFill, Granularity } = proto.pulse.store.v1;

const OPTIONS = {
  metric: { type: 'string', multiple: true },
  dimension: { type: 'string', default: 'all' },
  granularity: { type: 'string' },
  fill: { type: 'string', default: 'zero' },
  tz: { type: 'string' },
} as const;

export const seriesCommand: Command = {
  name: 'series',
  summary: 'a metric per window for one dimension (events per minute, revenue per day, ...)',
  help: `usage: pulse series [--metric M[,M...]] [--dimension D] [--since T] [--until T]
                    [--granularity 1m|1h|1d] [--fill zero|absent] [--tz ZONE]

One row per window of [since, until): the metrics of one dimension, sums added over partitions,
distinct counts (unique_users, unique_sessions, funnel_*) per window.

  --metric M           metric(s), repeatable or comma-separated (default events): events,
                       page_views, product_views, add_to_cart, remove_from_cart, checkouts,
                       purchases, orders, units, revenue, refunds, refund_amount (money in minor
                       units), unique_users, unique_sessions, funnel_viewed … funnel_purchased
  --dimension D        all (default), product:SKU-1, category:toys, country:GB, channel:web
  --since T, --until T the range (default the last hour: --since -1h --until now)
  --granularity G      1m, 1h or 1d (default: 1m up to a day, 1h up to 31 days, else 1d)
  --fill zero|absent   windows without data: a 0 row (default) or no row
  --tz ZONE            day windows in an IANA zone (e.g. Europe/Berlin; whole-hour offsets only)

${COMMON_HELP}

examples:
  pulse series --since -2h
  pulse series --metric revenue,orders --granularity 1h --since -7d
  pulse series --metric unique_users --dimension country:GB --granularity 1d --tz Europe/London --since -30d`,

  async run({ argv, env, now, out }) {
    const values = parseOptions(argv, OPTIONS);
    if (values.help) return out(this.help);
    const target = connection(values, env);
    const { from, to } = range(values, now, '-1h');
    const metrics = list(values.metric, ['events']);
    if (values.fill !== 'zero' && values.fill !== 'absent') {
      throw new UsageError(`--fill: ${JSON.stringify(values.fill)} is not zero or absent`);
    }
    const size = values.granularity
      ? granularity(values.granularity, false)
      : values.tz
        ? Granularity.GRANULARITY_DAY
        : defaultSeriesGranularity(from, to);
    const client = new MetricsClient(target);
    try {
      const response = await client.getSeries({
        metrics,
        dimension: values.dimension,
        granularity: size,
        from,
        to,
        gapFill: values.fill === 'zero' ? GapFill.GAP_FILL_ZERO : GapFill.GAP_FILL_ABSENT,
        timeZone: values.tz ?? '',
      });
      if (values.json) return out(JSON.stringify(toJson(response), null, 2));
      const day = response.granularity === Granularity.GRANULARITY_DAY;
      const zone = response.timeZone || 'UTC';
      const rows = response.points.map((point) => [
        formatWindow(point.windowStart ? point.windowStart.seconds * 1000 : 0, day, zone),
        ...point.values.map(formatCount),
        point.filled || point.closed ? '' : 'live',
      ]);
      out(
        renderTable(
          [
            { header: `window (${zone})` },
            ...response.metrics.map((metric) => ({ header: metric, align: 'right' as const })),
            { header: '' },
          ],
          rows,
        ),
      );
      const notes = [
        `${response.dimension}, ${response.points.length} window(s) of ${granularityName(response.granularity)} in ${formatRange(from, to)}`,
      ];
      if (response.metrics.some((metric) => MONEY_METRICS.has(metric))) {
        notes.push('money in minor units of the base currency');
      }
      if (response.points.some((point) => !point.filled && !point.closed)) notes.push('live: window still open');
      out(`# ${notes.join('; ')}`);
    } finally {
      client.close();
    }
  },
};
