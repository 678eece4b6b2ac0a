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

  it('says alerts are not available yet and exits 1', async () => {
    const run = io({ PULSE_API_KEY: 'k' });
    expect(await runCli(['alerts', '--follow'], run.io)).toBe(1);
    expect(run.stderr()).toMatch(/^pulse alerts: not available yet: /);
  });
});
