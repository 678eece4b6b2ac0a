import { HELP, runCli } from './cli.js';

function io(env: Record<string, string> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    io: {
      stdout: { write: (text: string) => stdout.push(text) },
      stderr: { write: (text: string) => stderr.push(text) },
      env,
      now: () => Date.UTC(2026, 10, 27, 12),
    },
    stdout: () => stdout.join(''),
    stderr: () => stderr.join(''),
  };
}

describe('runCli', () => {
  it('prints the overview for --help (exit 0) and without a command (exit 2)', async () => {
    const help = io();
    expect(await runCli(['--help'], help.io)).toBe(0);
    expect(help.stdout()).toBe(`${HELP}\n`);
    for (const name of ['series', 'top', 'breakdown', 'funnel', 'distinct', 'forecast', 'alerts']) {
      expect(HELP).toContain(`  ${name} `);
    }
    const none = io();
    expect(await runCli([], none.io)).toBe(2);
    expect(none.stderr()).toContain('usage: pulse <command>');
  });

  it('prints a command’s help with --help or `pulse help <command>`', async () => {
    const first = io();
    expect(await runCli(['top', '--help'], first.io)).toBe(0);
    expect(first.stdout()).toMatch(/^usage: pulse top /);
    const second = io();
    expect(await runCli(['help', 'top'], second.io)).toBe(0);
    expect(second.stdout()).toBe(first.stdout());
  });

  it('exits 2 on usage errors, before any call', async () => {
    const cases: string[][] = [
      ['bogus'],
      ['series', '--bogus'],
      ['series', '--since', 'yesterday'],
      ['top', '-k', 'ten'],
      ['series', '--granularity', '5m'],
      ['series', '--fill', 'maybe'],
    ];
    for (const argv of cases) {
      const run = io({ PULSE_API_KEY: 'k' });
      expect(await runCli(argv, run.io)).toBe(2);
      expect(run.stderr()).toMatch(/^pulse/);
    }
    const keyless = io();
    expect(await runCli(['series'], keyless.io)).toBe(2);
    expect(keyless.stderr()).toContain('no API key: pass --tenant-key KEY or set PULSE_API_KEY');
  });

  it('lists every command in the overview, forecast-service options included', () => {
    for (const name of ['backtest', 'alerts']) expect(HELP).toContain(`  ${name} `);
    expect(HELP).toContain('--forecast HOST:PORT');
    expect(HELP).toContain('pulse alerts --follow');
  });

  it('exits 2 on usage errors of the forecast-service commands, before any call', async () => {
    const cases: Array<[string[], string]> = [
      [['alerts', '--until', 'now'], '--until: alerts are listed up to now'],
      [['alerts', '--since', 'yesterday'], '--since: "yesterday" is not a time'],
      [['alerts', '--forecast', 'nowhere'], '--forecast: "nowhere" is not HOST:PORT'],
      [
        ['forecast', '--model', 'prophet'],
        '--model: "prophet" is not one of auto, linear, holt-winters, seasonal-naive',
      ],
      [['forecast', '--levels', '0.8,95'], '--levels: "0.8,95" is not a list of levels between 0 and 1'],
      [['backtest', '--granularity', '5m'], '--granularity: "5m" is not 1m, 1h or 1d'],
      [['backtest', '--models', 'auto,arima'], '--models: "arima" is not one of'],
      [['backtest', '--origins', '0'], '--origins: "0" is not a positive integer'],
    ];
    for (const [argv, message] of cases) {
      const run = io({ PULSE_API_KEY: 'k' });
      expect(await runCli(argv, run.io)).toBe(2);
      expect(run.stderr()).toContain(`pulse ${argv[0]}: ${message}`);
    }
  });

  it('reports an unreachable forecast service as the gRPC status, exit 1', async () => {
    const run = io({ PULSE_API_KEY: 'k' });
    expect(await runCli(['alerts', '--forecast', '127.0.0.1:1', '--timeout', '2s'], run.io)).toBe(1);
    expect(run.stderr()).toMatch(/^pulse alerts: (UNAVAILABLE|DEADLINE_EXCEEDED): /);
  });

  it('stops alerts --follow cleanly (exit 0) on the signal, also while it waits to reconnect', async () => {
    const run = io({ PULSE_API_KEY: 'k' });
    const controller = new AbortController();
    const running = runCli(['alerts', '--follow', '--forecast', '127.0.0.1:1'], {
      ...run.io,
      signal: controller.signal,
    });
    for (const deadline = Date.now() + 10_000; !run.stderr().includes('reconnecting') && Date.now() < deadline;)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(run.stderr()).toMatch(
      /^pulse alerts: the forecast service is unavailable \(UNAVAILABLE: .*\); reconnecting in 250 ms/,
    );
    controller.abort();
    await expect(running).resolves.toBe(0);
    expect(run.stdout()).toMatch(/^raised \(UTC\)\s+window \(UTC\)/);
  });
});
