import { MetricsClient } from '@pulse/client';

import { COMMON_HELP, connection, granularity, parseOptions, positiveInteger, range } from '../cli-options.js';
import { type Command } from '../command.js';
import { formatCount, formatPercent, formatRange, toJson } from '../output/format.js';
import { renderTable } from '../output/table.js';

const OPTIONS = {
  dimension: { type: 'string', default: 'all' },
  by: { type: 'string' },
  k: { type: 'string', short: 'k', default: '10' },
  granularity: { type: 'string', default: 'auto' },
  'page-token': { type: 'string', default: '' },
} as const;

export const funnelCommand: Command = {
  name: 'funnel',
  summary: 'session funnel viewed → added → checked out → purchased, with conversion rates',
  help: `usage: pulse funnel [--dimension D | --by KIND [-k N] [--page-token TOKEN]]
                    [--since T] [--until T] [--granularity G]

Distinct sessions with a product view, an add to cart, a checkout and a purchase in
[since, until), and the conversion between the stages. Stages are counted independently (a
session that bought without a counted view is in "purchased" only), so a rate can exceed 100%.

  --dimension D        the funnel of one dimension: all (default), product:SKU-1, country:GB, ...
  --by KIND            one funnel per dimension of a kind (product, category, country, channel),
                       most viewed first, k per page
  -k N                 funnels per page with --by, 1 to 100 (default 10)
  --since T, --until T the range (default the last 24 hours)
  --granularity G      auto (default), 1m, 1h or 1d

${COMMON_HELP}

examples:
  pulse funnel --since -7d
  pulse funnel --by channel --since 2026-11-24 --until 2026-11-25`,

  async run({ argv, env, now, out }) {
    const values = parseOptions(argv, OPTIONS);
    if (values.help) return out(this.help);
    const target = connection(values, env);
    const { from, to } = range(values, now);
    const client = new MetricsClient(target);
    try {
      const response = await client.funnel({
        dimension: values.dimension,
        kind: values.by ?? '',
        pageSize: values.by ? positiveInteger(values.k, '-k', 10) : 0,
        pageToken: values['page-token'],
        granularity: granularity(values.granularity, true),
        from,
        to,
      });
      if (values.json) return out(JSON.stringify(toJson(response), null, 2));
      const span =
        response.from && response.to ? formatRange(response.from.seconds * 1000, response.to.seconds * 1000) : '';
      if (!values.by) {
        const [funnel] = response.funnels;
        out(
          renderTable(
            [
              { header: 'stage' },
              { header: 'sessions', align: 'right' },
              { header: 'from previous', align: 'right' },
              { header: 'from viewed', align: 'right' },
            ],
            (funnel?.stages ?? []).map((stage) => [
              stage.stage,
              formatCount(stage.sessions),
              formatPercent(stage.conversionFromPrevious),
              formatPercent(stage.conversionFromFirst),
            ]),
          ),
        );
        out(`# ${funnel?.dimension ?? values.dimension} in ${span}`);
        return;
      }
      out(
        renderTable(
          [
            { header: values.by },
            ...['viewed', 'added', 'checked_out', 'purchased'].map((stage) => ({
              header: stage,
              align: 'right' as const,
            })),
            { header: 'viewed → purchased', align: 'right' },
          ],
          response.funnels.map((funnel) => [
            funnel.dimension,
            ...funnel.stages.map((stage) => formatCount(stage.sessions)),
            formatPercent(funnel.stages[3]?.conversionFromFirst ?? 0),
          ]),
        ),
      );
      out(`# ${response.funnels.length} of ${response.totalDimensions} ${values.by} dimension(s) in ${span}`);
      if (response.nextPageToken) out(`# next page: --page-token ${response.nextPageToken}`);
    } finally {
      client.close();
    }
  },
};
