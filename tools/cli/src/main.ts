/**
 * `pulse` — the command line of Pulse's query API (docs/cli.md): series, top, breakdown, funnel,
 * distinct, forecast, alerts. Talks gRPC to the store through @pulse/client.
 */
import { runCli } from './cli.js';

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    now: Date.now,
  });
} catch (error) {
  process.stderr.write(`pulse: unexpected failure: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
}
