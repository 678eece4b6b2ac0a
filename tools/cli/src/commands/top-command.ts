import { MetricsClient } from '@pulse/client';
import { type proto } from '@pulse/contracts';

import { COMMON_HELP, connection, granularity, parseOptions, positiveInteger, range } from '../cli-options.js';
import { type Command } from '../command.js';
import { formatCount, formatRange, MONEY_METRICS, toJson } from '../output/format.js';
import { renderTable } from '../output/table.js';

type TopDimensionsResponse = proto.pulse.store.v1.TopDimensionsResponse;

const OPTIONS = {
  kind: { type: 'string', default: 'product' },
  metric: { type: 'string', default: 'revenue' },
  k: { type: 'string', short: 'k', default: '10' },
  granularity: { type: 'string', default: 'auto' },
  'page-token': { type: 'string', default: '' },
  all: { type: 'boolean', default: false },
} as const;

export const topCommand: Command = {
  name: 'top',
  summary: 'the top k dimensions of a kind ranked by a metric (best-selling products, ...)',
  help: `usage: pulse top [--kind K] [--metric M] [-k N] [--since T] [--until T] [--granularity G]
                 [--page-token TOKEN | --all]

The dimensions of one kind ranked by a metric over [since, until) (descending, ties by name),
k per page.

  --kind K             product (default), category, country or channel
  --metric M           the ranking metric (default revenue; money in minor units)
  -k N                 dimensions per page, 1 to 100 (default 10)
  --since T, --until T the range (default the last 24 hours)
  --granularity G      windows to read: auto (default: whole days, hours, then minutes at the
                       edges), 1m, 1h or 1d (the range widens to whole windows)
  --page-token TOKEN   the next page of the same query (printed under each page)
  --all                every page

${COMMON_HELP}

examples:
  pulse top --since -7d
  pulse top --kind country --metric orders -k 5 --since 2026-11-01 --until 2026-12-01
  pulse top --kind product --metric unique_users --all --json`,

  async run({ argv, env, now, out }) {
    const values = parseOptions(argv, OPTIONS);
    if (values.help) return out(this.help);
    const target = connection(values, env);
    const { from, to } = range(values, now);
    const query = {
      kind: values.kind,
      metric: values.metric,
      k: positiveInteger(values.k, '-k', 10),
      granularity: granularity(values.granularity, true),
      from,
      to,
      pageToken: values['page-token'],
    };
    const client = new MetricsClient(target);
    try {
      let response: TopDimensionsResponse;
      if (values.all) {
        const pages: TopDimensionsResponse[] = [];
        for await (const page of client.topDimensionsPages(query)) pages.push(page);
        const last = pages[pages.length - 1] as TopDimensionsResponse;
        response = { ...last, dimensions: pages.flatMap((page) => page.dimensions), nextPageToken: '' };
      } else {
        response = await client.topDimensions(query);
      }
      if (values.json) return out(JSON.stringify(toJson(response), null, 2));
      out(
        renderTable(
          [{ header: 'rank', align: 'right' }, { header: response.kind }, { header: response.metric, align: 'right' }],
          response.dimensions.map((entry) => [
            String(entry.rank),
            entry.overflow ? `${entry.dimension} (values over the cap)` : entry.dimension,
            formatCount(entry.value),
          ]),
        ),
      );
      const first = response.dimensions[0]?.rank ?? 0;
      const last = response.dimensions[response.dimensions.length - 1]?.rank ?? 0;
      const span =
        response.from && response.to ? formatRange(response.from.seconds * 1000, response.to.seconds * 1000) : '';
      const notes = [`ranks ${first}–${last} of ${response.totalDimensions} ${response.kind} dimension(s) in ${span}`];
      if (MONEY_METRICS.has(response.metric)) notes.push('money in minor units of the base currency');
      out(`# ${notes.join('; ')}`);
      if (response.nextPageToken) out(`# next page: --page-token ${response.nextPageToken}`);
    } finally {
      client.close();
    }
  },
};
