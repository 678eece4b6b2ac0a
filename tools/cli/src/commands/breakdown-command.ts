import { MetricsClient } from '@pulse/client';
import { type proto } from '@pulse/contracts';

import { COMMON_HELP, connection, granularity, list, parseOptions, positiveInteger, range } from '../cli-options.js';
import { type Command } from '../command.js';
import { formatCount, formatRange, MONEY_METRICS, toJson } from '../output/format.js';
import { renderTable } from '../output/table.js';

type BreakdownResponse = proto.pulse.store.v1.BreakdownResponse;

const OPTIONS = {
  kind: { type: 'string', default: 'product' },
  metric: { type: 'string', multiple: true },
  'page-size': { type: 'string', default: '100' },
  granularity: { type: 'string', default: 'auto' },
  'page-token': { type: 'string', default: '' },
  all: { type: 'boolean', default: false },
} as const;

export const breakdownCommand: Command = {
  name: 'breakdown',
  summary: 'every dimension of a kind with its metrics, by name',
  help: `usage: pulse breakdown [--kind K] [--metric M[,M...]] [--since T] [--until T]
                       [--granularity G] [--page-size N] [--page-token TOKEN | --all]

Every dimension of one kind that has data in [since, until), by name, with its metrics over the
whole range (sums added, distinct counts unioned).

  --kind K             product (default), category, country or channel
  --metric M           metric(s), repeatable or comma-separated (default events,revenue,unique_users)
  --since T, --until T the range (default the last 24 hours)
  --granularity G      auto (default), 1m, 1h or 1d
  --page-size N        rows per page, 1 to 1,000 (default 100)
  --page-token TOKEN   the next page (printed under each page)
  --all                every page

${COMMON_HELP}

example:
  pulse breakdown --kind country --metric events,orders,revenue --since -30d --all`,

  async run({ argv, env, now, out }) {
    const values = parseOptions(argv, OPTIONS);
    if (values.help) return out(this.help);
    const target = connection(values, env);
    const { from, to } = range(values, now);
    const query = {
      kind: values.kind,
      metrics: list(values.metric, ['events', 'revenue', 'unique_users']),
      granularity: granularity(values.granularity, true),
      from,
      to,
      pageSize: positiveInteger(values['page-size'], '--page-size', 100),
      pageToken: values['page-token'],
    };
    const client = new MetricsClient(target);
    try {
      let response: BreakdownResponse;
      if (values.all) {
        const pages: BreakdownResponse[] = [];
        for await (const page of client.breakdownPages(query)) pages.push(page);
        const last = pages[pages.length - 1] as BreakdownResponse;
        response = { ...last, rows: pages.flatMap((page) => page.rows), nextPageToken: '' };
      } else {
        response = await client.breakdown(query);
      }
      if (values.json) return out(JSON.stringify(toJson(response), null, 2));
      out(
        renderTable(
          [
            { header: response.kind },
            ...response.metrics.map((metric) => ({ header: metric, align: 'right' as const })),
          ],
          response.rows.map((row) => [row.dimension, ...row.values.map(formatCount)]),
        ),
      );
      const span =
        response.from && response.to ? formatRange(response.from.seconds * 1000, response.to.seconds * 1000) : '';
      const notes = [`${response.rows.length} of ${response.totalDimensions} ${response.kind} dimension(s) in ${span}`];
      if (response.metrics.some((metric) => MONEY_METRICS.has(metric))) {
        notes.push('money in minor units of the base currency');
      }
      out(`# ${notes.join('; ')}`);
      if (response.nextPageToken) out(`# next page: --page-token ${response.nextPageToken}`);
    } finally {
      client.close();
    }
  },
};
