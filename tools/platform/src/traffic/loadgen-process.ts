import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type Readable } from 'node:stream';

import { type LoadgenCommandLine } from './loadgen-args.js';

/** What loadgen's `--progress-json` line carries (tools/loadgen/src/run/progress-report.ts). */
export interface LoadgenProgress {
  elapsedMs: number;
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  retries: number;
  failed: number;
  /** stream time of the last event taken (epoch ms) */
  streamTime?: number;
  lastError?: string;
}

export const NO_PROGRESS: Readonly<LoadgenProgress> = Object.freeze({
  elapsedMs: 0,
  sent: 0,
  accepted: 0,
  duplicates: 0,
  rejected: 0,
  retries: 0,
  failed: 0,
});

/** A purchase loadgen sent with its own sampled trace context (`--trace-every`). */
export interface TracedPurchase {
  traceId: string;
  eventId: string;
  /** epoch ms */
  sentAt: number;
}

/** loadgen's `{"traced": {...}}` stderr line → the traced purchase, or undefined for anything else. */
export function parseTracedLine(line: string): TracedPurchase | undefined {
  if (!line.startsWith('{"traced"')) return undefined;
  try {
    const { traced } = JSON.parse(line) as { traced?: Partial<TracedPurchase> };
    if (!traced || typeof traced.traceId !== 'string' || !/^[0-9a-f]{32}$/.test(traced.traceId)) return undefined;
    if (typeof traced.eventId !== 'string' || typeof traced.sentAt !== 'number') return undefined;
    return { traceId: traced.traceId, eventId: traced.eventId, sentAt: traced.sentAt };
  } catch {
    return undefined;
  }
}

/** A stderr line of loadgen → its progress, or undefined for anything else (messages, the summary). */
export function parseProgressLine(line: string): LoadgenProgress | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as Partial<LoadgenProgress>;
    if (typeof value.sent !== 'number' || typeof value.accepted !== 'number') return undefined;
    return { ...NO_PROGRESS, ...value } as LoadgenProgress;
  } catch {
    return undefined;
  }
}

export interface LoadgenExit {
  code: number | null;
  /** the final counts (loadgen's --json summary), or the last progress when there was none */
  final: LoadgenProgress;
  /** loadgen's own words when it failed (its last stderr lines that were not progress) */
  message?: string;
}

/**
 * One loadgen run as a child process: progress is read from its JSON lines on stderr, the final
 * counts from its --json summary on stdout; `stop()` is its Ctrl-C (no new events, the batches in
 * flight are sent), and a second `stop()` aborts them.
 */
export class LoadgenProcess {
  progress: LoadgenProgress = { ...NO_PROGRESS };
  /** the newest purchase sent with its own trace context */
  lastTraced?: TracedPurchase;
  readonly exited: Promise<LoadgenExit>;
  private readonly child: ChildProcess;
  private readonly messages: string[] = [];

  constructor(mainJs: string, commandLine: LoadgenCommandLine, cwd: string) {
    this.child = spawn(process.execPath, [mainJs, ...commandLine.args], {
      cwd,
      env: { ...process.env, ...commandLine.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C in the terminal reaches only the demo, which then stops
      // loadgen once (a second SIGINT would abort its requests in flight).
      detached: true,
    });
    let summary: LoadgenProgress | undefined;
    createInterface({ input: this.child.stdout as Readable }).on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { send?: LoadgenProgress; elapsedMs?: number };
        if (parsed.send) summary = { ...NO_PROGRESS, ...parsed.send, elapsedMs: parsed.elapsedMs ?? 0 };
      } catch {
        // not the summary
      }
    });
    createInterface({ input: this.child.stderr as Readable }).on('line', (line) => {
      const progress = parseProgressLine(line);
      const traced = progress ? undefined : parseTracedLine(line);
      if (progress) this.progress = progress;
      else if (traced) this.lastTraced = traced;
      else if (line.trim() !== '') {
        this.messages.push(line.trim());
        if (this.messages.length > 5) this.messages.shift();
      }
    });
    this.exited = new Promise((resolve) => {
      const finish = (code: number | null, error?: Error) => {
        const final = summary ? { ...summary, streamTime: this.progress.streamTime } : this.progress;
        this.progress = final;
        const failed = code !== 0;
        resolve({
          code,
          final,
          message: failed ? (error?.message ?? this.messages.find((m) => m.startsWith('loadgen:'))) : undefined,
        });
      };
      this.child.once('error', (error) => finish(null, error));
      this.child.once('close', (code) => finish(code));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends a signal without waiting (for synchronous exit handlers). */
  signal(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  stop(): Promise<LoadgenExit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
    return this.exited;
  }
}
