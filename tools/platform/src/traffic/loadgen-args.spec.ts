import { DEFAULT_DEMO_SHOP, loadgenCommandLine, runIdOf, type DemoShop } from './loadgen-args.js';

const SHOP: DemoShop = { ...DEFAULT_DEMO_SHOP, rate: 10, seed: 42, timeZone: 'Europe/Berlin' };
const TARGET = { gatewayUrl: 'http://127.0.0.1:8080', apiKey: 'demo-secret' };
const STARTED = Date.UTC(2026, 10, 27, 18, 0);

/** The value following a flag, as a reader of the command line would take it. */
function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
}

describe('loadgenCommandLine', () => {
  it('sends the live phase in real time with the dirt, retry and lateness knobs', () => {
    const { args } = loadgenCommandLine({ kind: 'live' }, SHOP, TARGET, STARTED);
    expect(args[0]).toBe('simulate');
    expect(flag(args, '--target')).toBe('http://127.0.0.1:8080');
    expect(flag(args, '--rate')).toBe('10');
    expect(flag(args, '--seed')).toBe('42');
    expect(flag(args, '--time-zone')).toBe('Europe/Berlin');
    expect(flag(args, '--dirty')).toBe(String(SHOP.dirty));
    expect(flag(args, '--duplicates')).toBe(String(SHOP.duplicates));
    expect(flag(args, '--late')).toBe(String(SHOP.late));
    expect(flag(args, '--max-lateness')).toBe(String(SHOP.maxLatenessS));
    expect(args).not.toContain('--backfill');
    expect(args).not.toContain('--duration');
    expect(args).toEqual(expect.arrayContaining(['--progress-json', '--json']));
  });

  it('asks for a traced purchase every N seconds in live traffic only, when given', () => {
    const traced = { ...TARGET, traceEverySeconds: 15 };
    expect(flag(loadgenCommandLine({ kind: 'live' }, SHOP, traced, STARTED).args, '--trace-every')).toBe('15');
    expect(loadgenCommandLine({ kind: 'live' }, SHOP, TARGET, STARTED).args).not.toContain('--trace-every');
    expect(loadgenCommandLine({ kind: 'history', seconds: 600 }, SHOP, traced, STARTED).args).not.toContain(
      '--trace-every',
    );
  });

  it('backfills the history in time order: one 1,000-event batch in flight, no late or duplicate events', () => {
    const { args } = loadgenCommandLine({ kind: 'history', seconds: 10_800 }, SHOP, TARGET, STARTED);
    expect(args).toContain('--backfill');
    expect(flag(args, '--duration')).toBe('10800');
    expect(flag(args, '--concurrency')).toBe('1');
    expect(flag(args, '--batch-size')).toBe('1000');
    expect(flag(args, '--rate')).toBe('10');
    for (const knob of ['--dirty', '--duplicates', '--late', '--max-lateness']) expect(args).not.toContain(knob);
  });

  it('runs the catch-up at the flash-sale factor, over whole seconds (at least one)', () => {
    const flash = loadgenCommandLine({ kind: 'catch-up', seconds: 61.6, rateFactor: 4 }, SHOP, TARGET, STARTED).args;
    expect(flag(flash, '--rate')).toBe('40');
    expect(flag(flash, '--duration')).toBe('62');
    expect(flag(flash, '--backfill')).toBeDefined();
    const tiny = loadgenCommandLine({ kind: 'catch-up', seconds: 0.2, rateFactor: 1 }, SHOP, TARGET, STARTED).args;
    expect(flag(tiny, '--duration')).toBe('1');
    expect(flag(tiny, '--rate')).toBe('10');
  });

  it('passes the API key in the environment, never on the command line', () => {
    const { args, env } = loadgenCommandLine({ kind: 'live' }, SHOP, TARGET, STARTED);
    expect(env).toEqual({ PULSE_LOADGEN_API_KEY: 'demo-secret' });
    expect(args.join(' ')).not.toContain('demo-secret');
    expect(args).not.toContain('--api-key');
  });

  it('gives every phase its own run id, so the gateway never takes one phase for a retry of another', () => {
    const ids = [
      runIdOf({ kind: 'history', seconds: 60 }, STARTED),
      runIdOf({ kind: 'catch-up', seconds: 60, rateFactor: 4 }, STARTED),
      runIdOf({ kind: 'live' }, STARTED),
      runIdOf({ kind: 'live' }, STARTED + 1),
    ];
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9._-]{1,40}$/);
    const { args } = loadgenCommandLine({ kind: 'live' }, SHOP, TARGET, STARTED);
    expect(flag(args, '--run-id')).toBe(runIdOf({ kind: 'live' }, STARTED));
  });
});
