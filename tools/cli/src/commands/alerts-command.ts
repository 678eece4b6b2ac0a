import { ForecastClient, statusName } from '@pulse/client';
import { type proto } from '@pulse/contracts';

import { commonHelp, FORECAST_HELP, forecastConnection, parseOptions } from '../cli-options.js';
import { type Command, type CommandContext } from '../command.js';
import { ALERT_COLUMNS, alertCells, alertJsonLine, alertLine } from '../output/alert-format.js';
import { toJson } from '../output/format.js';
import { renderTable } from '../output/table.js';
import { parseTime } from '../time-range.js';
import { UsageError } from '../usage-error.js';

const OPTIONS = {
  follow: { type: 'boolean', short: 'f', default: false },
  forecast: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>;

export const alertsCommand: Command = {
  name: 'alerts',
  summary: 'anomaly alerts of the forecast service (--follow to stream them as they are raised)',
  help: `usage: pulse alerts [--since T] [--follow] [--forecast HOST:PORT]

The tenant's anomaly alerts — closed windows of watched series whose actual fell outside the
forecast interval — oldest first: when it was raised, the window, the series, severity, direction,
the actual against the forecast mean and its 95% interval, the score (distance in half-widths of
the interval) and the model. Money is in minor units of the base currency.

  --since T            alerts raised since T (default -24h; with --follow: only new ones, unless given)
  -f, --follow         keep printing alerts as they are raised, until Ctrl-C (exit 0); when the
                       forecast service goes away it says so on stderr and reconnects, without
                       printing an alert twice; with --json one JSON object per line (NDJSON)
${FORECAST_HELP}

${commonHelp({ store: false, times: false })}

times (--since): now | -24h, -15m, -7d (that long ago) | 2026-11-24 | 2026-11-24T10:00Z

examples:
  pulse alerts --since -7d
  pulse alerts --follow
  pulse alerts --follow --since -1h --json | jq -c 'select(.severity == "ALERT_SEVERITY_CRITICAL")'`,

  async run(context) {
    const values = parseOptions(context.argv, OPTIONS);
    if (values.help) return context.out(this.help);
    if (values.until !== undefined) {
      throw new UsageError('--until: alerts are listed up to now (use --since for the start)');
    }
    const target = forecastConnection(values, context.env);
    const client = new ForecastClient(target);
    try {
      if (values.follow) await follow(client, values, context);
      else await list(client, values, context);
    } finally {
      client.close();
    }
  },
};

async function list(client: ForecastClient, values: Values, { now, out }: CommandContext): Promise<void> {
  const since = parseTime(values.since ?? '-24h', '--since', now);
  const alerts: proto.pulse.forecast.v1.Alert[] = [];
  for await (const page of client.listAlertsPages({ since, pageSize: 1_000 })) alerts.push(...page.alerts);
  if (values.json) return out(JSON.stringify(toJson({ alerts }), null, 2));
  if (alerts.length > 0) out(renderTable(ALERT_COLUMNS, alerts.map(alertCells)));
  out(`# ${alerts.length} alert(s) raised since ${new Date(since).toISOString()}`);
}

async function follow(client: ForecastClient, values: Values, { now, out, err, signal }: CommandContext) {
  const since = values.since === undefined ? undefined : parseTime(values.since, '--since', now);
  const watch = client.watchAlerts({
    since,
    signal,
    onReconnect: ({ code, details, delayMs }) =>
      err(
        `pulse alerts: the forecast service is unavailable (${statusName(code)}: ${details}); ` +
          `reconnecting in ${delayMs < 1_000 ? `${delayMs} ms` : `${(delayMs / 1_000).toFixed(1)} s`}`,
      ),
  });
  if (!values.json) out(alertLine(ALERT_COLUMNS.map((column) => column.header)));
  for await (const alert of watch) out(values.json ? alertJsonLine(alert) : alertLine(alertCells(alert)));
}
