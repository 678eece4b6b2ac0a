import { fieldViolations, isServiceError, statusName } from '@pulse/client';

import { type Env } from './cli-options.js';
import { CommandFailure, type Command } from './command.js';
import { alertsCommand } from './commands/alerts-command.js';
import { backtestCommand } from './commands/backtest-command.js';
import { breakdownCommand } from './commands/breakdown-command.js';
import { distinctCommand } from './commands/distinct-command.js';
import { forecastCommand } from './commands/forecast-command.js';
import { funnelCommand } from './commands/funnel-command.js';
import { seriesCommand } from './commands/series-command.js';
import { topCommand } from './commands/top-command.js';
import { UsageError } from './usage-error.js';

export const COMMANDS: readonly Command[] = [
  seriesCommand,
  topCommand,
  breakdownCommand,
  funnelCommand,
  distinctCommand,
  forecastCommand,
  backtestCommand,
  alertsCommand,
];

export const HELP = `pulse — query Pulse's shop analytics from the terminal

usage: pulse <command> [options]     (pulse <command> --help for its options)

commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(10)} ${command.summary}`).join('\n')}

every query command takes:
  --since T, --until T   the range [since, until): now, -24h, -15m, -7d, 2026-11-24, 2026-11-24T10:00Z
  --tenant-key KEY       API key with the query scope (or env PULSE_API_KEY); it selects the tenant
  --store HOST:PORT      the store's gRPC address (or env PULSE_STORE_ADDR; default 127.0.0.1:50051)
  --forecast HOST:PORT   forecast, backtest, alerts: the forecast service's gRPC address
                         (or env PULSE_FORECAST_ADDR; default 127.0.0.1:50052)
  --json                 JSON instead of a table
  --timeout DURATION     deadline of each call (default 10s)

examples:
  pulse series --since -2h                                      events per minute, last two hours
  pulse series --metric revenue,orders --granularity 1d --since -30d
  pulse top --kind product --metric revenue -k 10 --since -24h  best sellers of the last day
  pulse funnel --by channel --since 2026-11-24 --until 2026-11-25
  pulse distinct --dimension country:GB --since -7d
  pulse forecast --metric orders --horizon 48                   the next two days of orders per hour
  pulse alerts --since -7d                                      anomaly alerts of the last week
  pulse alerts --follow --json                                  new alerts as they are raised (NDJSON)

exit codes: 0 done (also --follow stopped with Ctrl-C), 1 the server refused or failed (its gRPC
status is printed), 2 usage error`;

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Env;
  now: () => number;
  /** Aborted on Ctrl-C / SIGTERM (commands that run until stopped end cleanly on it). */
  signal?: AbortSignal;
}

/** Runs one command line; resolves with the exit code (0 done, 1 server error, 2 usage). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const out = (text: string) => io.stdout.write(`${text}\n`);
  const err = (text: string) => io.stderr.write(`${text}\n`);
  if (name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    out(HELP);
    return 0;
  }
  if (name === undefined) {
    err(HELP);
    return 2;
  }
  const wanted = name === 'help' ? rest[0] : name;
  const command = COMMANDS.find((candidate) => candidate.name === wanted);
  if (!command) {
    err(
      `pulse: unknown command ${JSON.stringify(wanted)}; one of ${COMMANDS.map((c) => c.name).join(', ')} (pulse --help)`,
    );
    return 2;
  }
  if (name === 'help') {
    out(command.help);
    return 0;
  }
  try {
    await command.run({
      argv: rest,
      env: io.env,
      now: io.now(),
      out,
      err,
      signal: io.signal ?? new AbortController().signal,
    });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`pulse ${command.name}: ${error.message}\n(pulse ${command.name} --help shows the options)`);
      return 2;
    }
    if (error instanceof CommandFailure) {
      err(`pulse ${command.name}: ${error.message}`);
      return 1;
    }
    if (isServiceError(error)) {
      err(`pulse ${command.name}: ${statusName(error.code)}: ${error.details}`);
      for (const violation of fieldViolations(error)) {
        if (!error.details.includes(violation.description)) err(`  ${violation.field}: ${violation.description}`);
      }
      return 1;
    }
    throw error;
  }
}
