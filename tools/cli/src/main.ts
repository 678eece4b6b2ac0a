/**
 * `pulse` — the command line of Pulse's query API (docs/cli.md): series, top, breakdown, funnel,
 * distinct, forecast, backtest, alerts. Talks gRPC to the store and the forecast service through
 * @pulse/client.
 */
import { runCli } from './cli.js';

// Ctrl-C / SIGTERM asks the running command to stop: `alerts --follow` ends its watch and exits 0.
// A command that does not stop within a second (a query in flight), or a second signal, exits 130.
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
    setTimeout(() => process.exit(130), 1_000).unref();
  });
}

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    now: Date.now,
    signal: stop.signal,
  });
} catch (error) {
  process.stderr.write(`pulse: unexpected failure: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
}
