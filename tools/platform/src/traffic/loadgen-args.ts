/**
 * The command lines of tools/loadgen for the demo's traffic phases. Nx module boundaries keep
 * tools/platform from importing tools/loadgen, so the demo runs loadgen's CLI as a child process;
 * this is the pure part: which flags each phase gets.
 */

/** The simulated shop every phase sends: one seed, so one catalogue, prices and popularity. */
export interface DemoShop {
  /** mean events/s over a week (loadgen --rate); the hour and weekday scale it */
  rate: number;
  seed: number;
  /** the shop's IANA time zone: when its evenings are busy */
  timeZone: string;
  dirty: number;
  duplicates: number;
  late: number;
  /** seconds a late event is late at most */
  maxLatenessS: number;
}

export const DEFAULT_DEMO_SHOP: Readonly<DemoShop> = Object.freeze({
  rate: 8,
  seed: 7,
  timeZone: 'UTC',
  dirty: 0.02,
  duplicates: 0.01,
  late: 0.01,
  maxLatenessS: 60,
});

export type TrafficPhase =
  /** the past `seconds`, sent as fast as the gateway takes them (one batch at a time, in time order) */
  | { kind: 'history'; seconds: number }
  /** the seconds the history took to send, at `rateFactor` × the rate: a flash sale when above 1 */
  | { kind: 'catch-up'; seconds: number; rateFactor: number }
  /** real time, until stopped */
  | { kind: 'live' };

export interface LoadgenTarget {
  /** the gateway's base URL, e.g. http://127.0.0.1:8080 */
  gatewayUrl: string;
  apiKey: string;
  /** live traffic: one purchase every this many seconds gets its own sampled trace (loadgen --trace-every) */
  traceEverySeconds?: number;
}

export interface LoadgenCommandLine {
  /** arguments after `node <loadgen main.js>` */
  args: string[];
  /** environment additions: the API key travels here, not on the command line (ps shows that) */
  env: Record<string, string>;
}

/** Ids stay unique across phases and runs: `demo-<phase>-<start in base 36>` (loadgen allows 40 chars). */
export function runIdOf(phase: TrafficPhase, startedAt: number): string {
  return `demo-${phase.kind}-${startedAt.toString(36)}`;
}

export function loadgenCommandLine(
  phase: TrafficPhase,
  shop: DemoShop,
  target: LoadgenTarget,
  startedAt: number,
): LoadgenCommandLine {
  const rate = phase.kind === 'catch-up' ? shop.rate * phase.rateFactor : shop.rate;
  const args = [
    'simulate',
    '--target',
    target.gatewayUrl,
    '--rate',
    String(round(rate)),
    '--seed',
    String(shop.seed),
    '--time-zone',
    shop.timeZone,
    '--run-id',
    runIdOf(phase, startedAt),
    '--progress-json',
    '--json',
  ];
  if (phase.kind === 'live') {
    // Dirt, client retries and late events only in real time: a backfill sends in time order so
    // that the aggregator's short demo lateness keeps every event of it.
    args.push(
      '--dirty',
      String(shop.dirty),
      '--duplicates',
      String(shop.duplicates),
      '--late',
      String(shop.late),
      '--max-lateness',
      String(shop.maxLatenessS),
    );
    if (target.traceEverySeconds !== undefined) args.push('--trace-every', String(target.traceEverySeconds));
  } else {
    // One batch in flight at a time keeps the raw stream in event-time order.
    args.push(
      '--backfill',
      '--duration',
      String(Math.max(1, Math.round(phase.seconds))),
      '--concurrency',
      '1',
      '--batch-size',
      '1000',
    );
  }
  return { args, env: { PULSE_LOADGEN_API_KEY: target.apiKey } };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
