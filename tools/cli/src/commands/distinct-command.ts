import { MetricsClient } from '@pulse/client';

import { COMMON_HELP, connection, granularity, list, parseOptions, range } from '../cli-options.js';
import { type Command } from '../command.js';
import { formatCount, formatRange, toJson } from '../output/format.js';
import { renderTable } from '../output/table.js';

const OPTIONS = {
  metric: { type: 'string', multiple: true },
  dimension: { type: 'string', default: 'all' },
  granularity: { type: 'string', default: 'auto' },
} as const;

export const distinctCommand: Command = {
  name: 'distinct',
  summary: 'distinct users and sessions over a whole range',
  help: `usage: pulse distinct [--metric M[,M...]] [--dimension D] [--since T] [--until T] [--granularity G]

Distinct values over the whole of [since, until) — the union over windows and partitions, not a
sum of per-window counts. Exact up to 256 values, then HyperLogLog (about ±1.6 %).

  --metric M           unique_users,unique_sessions (default) or any funnel_* metric
  --dimension D        all (default), product:SKU-1, country:GB, ...
  --since T, --until T the range (default the last 24 hours)
  --granularity G      auto (default), 1m, 1h or 1d

${COMMON_HELP}

example:
  pulse distinct --dimension country:GB --since -30d`,

  async run({ argv, env, now, out }) {
    const values = parseOptions(argv, OPTIONS);
    if (values.help) return out(this.help);
    const target = connection(values, env);
    const { from, to } = range(values, now);
    const client = new MetricsClient(target);
    try {
      const response = await client.distinct({
        metrics: list(values.metric, ['unique_users', 'unique_sessions']),
        dimension: values.dimension,
        granularity: granularity(values.granularity, true),
        from,
        to,
      });
      if (values.json) return out(JSON.stringify(toJson(response), null, 2));
      out(
        renderTable(
          [{ header: 'metric' }, { header: 'distinct', align: 'right' }, { header: '' }],
          response.counts.map((count) => [count.metric, formatCount(count.value), count.exact ? 'exact' : '≈ ±1.6%']),
        ),
      );
      const span =
        response.from && response.to ? formatRange(response.from.seconds * 1000, response.to.seconds * 1000) : '';
      out(`# ${response.dimension} in ${span}`);
    } finally {
      client.close();
    }
  },
};
