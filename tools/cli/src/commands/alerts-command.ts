import { commonHelp, parseOptions } from '../cli-options.js';
import { CommandFailure, type Command } from '../command.js';

const OPTIONS = {
  follow: { type: 'boolean', short: 'f', default: false },
} as const;

export const alertsCommand: Command = {
  name: 'alerts',
  summary: 'anomaly alerts of the forecast service (--follow to stream them)',
  help: `usage: pulse alerts [--follow]

Lists the anomaly alerts of the tenant (actuals outside the forecast interval), or with --follow
streams them as windows close. Needs ListAlerts / WatchAlerts of the forecast service (issue 6),
which do not exist yet: until then this command says so and exits 1.

  -f, --follow         keep streaming new alerts

${commonHelp({ store: false, times: false })}`,

  async run({ argv, out }) {
    const values = parseOptions(argv, OPTIONS);
    if (values.help) return out(this.help);
    throw new CommandFailure(
      'not available yet: the forecast service has no alerts API yet (ListAlerts and WatchAlerts arrive with issue 6)',
    );
  },
};
