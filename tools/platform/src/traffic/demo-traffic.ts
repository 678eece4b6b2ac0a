import { loadgenCommandLine, type DemoShop, type LoadgenTarget, type TrafficPhase } from './loadgen-args.js';
import { LoadgenProcess, NO_PROGRESS, type LoadgenProgress, type TracedPurchase } from './loadgen-process.js';

/**
 * The demo's traffic, one loadgen process per phase, one after the other:
 *   1. history  — the past hours the store lacks (a backfill, in time order), so the forecast has
 *                 enough closed minutes to fit on from the start;
 *   2. catch-up — the seconds the history took, so the stream has no hole; sent at
 *                 `flashSaleFactor` × the rate (a "flash sale" the anomaly watcher reports);
 *   3. live     — real time until the demo stops.
 * Phases never overlap: the aggregator's watermark follows the newest event, so the history has
 * to be in before events of "now" arrive.
 */
export interface DemoTrafficOptions {
  loadgenMainJs: string;
  cwd: string;
  shop: DemoShop;
  target: LoadgenTarget;
  /** seconds of history to backfill (0: none) */
  historySeconds: number;
  /** rate factor of the catch-up; ≤ 1 turns the flash sale off */
  flashSaleFactor: number;
  /** a flash sale lasts at least this long (the catch-up then waits for it to have passed) */
  minFlashSaleSeconds: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export type TrafficStage = 'history' | 'catch-up' | 'live' | 'stopped' | 'failed';

export interface TrafficState {
  stage: TrafficStage;
  /** the current phase's process progress */
  current: LoadgenProgress;
  /** counts over every phase, the current one included */
  total: LoadgenProgress;
  /** for a backfill: share of its span sent, 0–1 */
  backfillShare?: number;
  historySeconds: number;
  /** epoch ms: when live traffic started */
  liveSince?: number;
  /** ms the history backfill took */
  historyTookMs?: number;
  /** the newest purchase sent with its own trace context (live traffic with traceEverySeconds) */
  lastTraced?: TracedPurchase;
  error?: string;
}

/**
 * Seconds of history to backfill: the wanted span, less what the store already has (a previous
 * demo's data), and none when under two minutes are missing.
 */
export function historyToBackfill(now: number, wantedSeconds: number, lastDataEnd?: number): number {
  if (wantedSeconds <= 0) return 0;
  const from = Math.max(now - wantedSeconds * 1000, lastDataEnd ?? Number.NEGATIVE_INFINITY);
  const seconds = Math.floor((now - from) / 1000);
  return seconds >= 120 ? seconds : 0;
}

export class DemoTraffic {
  private stage: TrafficStage = 'history';
  private process?: LoadgenProcess;
  private finished: LoadgenProgress = { ...NO_PROGRESS };
  private backfill?: { from: number; to: number };
  private liveSince?: number;
  private historyTookMs?: number;
  private error?: string;
  private stopping = false;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: DemoTrafficOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  get state(): TrafficState {
    const current = this.process?.progress ?? NO_PROGRESS;
    const total = { ...this.finished };
    for (const key of ['sent', 'accepted', 'duplicates', 'rejected', 'retries', 'failed'] as const)
      total[key] += current[key];
    let backfillShare: number | undefined;
    if (this.backfill && current.streamTime !== undefined) {
      const { from, to } = this.backfill;
      backfillShare = Math.min(1, Math.max(0, (current.streamTime - from) / Math.max(1, to - from)));
    }
    return {
      stage: this.stage,
      current,
      total,
      backfillShare,
      historySeconds: this.options.historySeconds,
      liveSince: this.liveSince,
      historyTookMs: this.historyTookMs,
      lastTraced: this.process?.lastTraced,
      error: this.error,
    };
  }

  /** Runs the phases; resolves when live traffic ends (stop()) or a phase failed. */
  async run(): Promise<void> {
    const { historySeconds, flashSaleFactor, minFlashSaleSeconds } = this.options;
    if (historySeconds > 0) {
      const began = this.now();
      if (!(await this.phase({ kind: 'history', seconds: historySeconds }))) return;
      this.historyTookMs = this.now() - began;
      const flash = flashSaleFactor > 1;
      if (flash) {
        const wait = minFlashSaleSeconds * 1000 - (this.now() - began);
        if (wait > 0) {
          this.stage = 'catch-up';
          await this.sleep(wait);
          if (this.stopping) return this.finish();
        }
      }
      const seconds = (this.now() - began) / 1000;
      if (seconds >= 1 && !(await this.phase({ kind: 'catch-up', seconds, rateFactor: flash ? flashSaleFactor : 1 })))
        return;
    }
    this.liveSince = this.now();
    await this.phase({ kind: 'live' });
    this.finish();
  }

  /** Stops the running phase (loadgen sends what is in flight) and every later one; the exit code. */
  async stop(): Promise<number | null> {
    this.stopping = true;
    const exit = await this.process?.stop();
    return exit?.code ?? 0;
  }

  /** Last resort when the demo itself exits: no loadgen outlives it. */
  signal(signal: NodeJS.Signals): void {
    this.process?.signal(signal);
  }

  private finish(): void {
    if (this.stage !== 'failed') this.stage = 'stopped';
  }

  /** true when the phase ran to its end and the next may start */
  private async phase(phase: TrafficPhase): Promise<boolean> {
    if (this.stopping) {
      this.finish();
      return false;
    }
    this.stage = phase.kind;
    const startedAt = this.now();
    this.backfill = phase.kind === 'live' ? undefined : { from: startedAt - phase.seconds * 1000, to: startedAt };
    const commandLine = loadgenCommandLine(phase, this.options.shop, this.options.target, startedAt);
    this.process = new LoadgenProcess(this.options.loadgenMainJs, commandLine, this.options.cwd);
    const exit = await this.process.exited;
    this.process = undefined;
    for (const key of ['sent', 'accepted', 'duplicates', 'rejected', 'retries', 'failed'] as const)
      this.finished[key] += exit.final[key];
    this.backfill = undefined;
    if (exit.code !== 0) {
      this.stage = 'failed';
      this.error = `loadgen ${phase.kind} exited ${exit.code}${exit.message ? `: ${exit.message}` : ''}`;
      return false;
    }
    if (this.stopping) {
      this.finish();
      return false;
    }
    return true;
  }
}
