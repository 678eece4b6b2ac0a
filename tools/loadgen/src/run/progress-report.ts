import { type SendStats } from '../sender/send-stats.js';

/** What the progress line and the summary show, sampled from the run. */
export interface ProgressSample {
  /** ms since the run started */
  elapsedMs: number;
  send: SendStats;
  /** extra counters of the source, e.g. lines and bad lines of a replay */
  source?: Record<string, number>;
}

const count = (n: number) => n.toLocaleString('en-US');

/** One line a second: the send rate since the previous sample and the totals so far. */
export function formatProgress(
  sample: ProgressSample,
  previous: ProgressSample | undefined,
  printing: boolean,
): string {
  const seconds = (sample.elapsedMs - (previous?.elapsedMs ?? 0)) / 1000;
  const rate = seconds > 0 ? (sample.send.sent - (previous?.send.sent ?? 0)) / seconds : 0;
  const parts = [`sent ${count(sample.send.sent)} (${count(Math.round(rate))}/s)`];
  if (!printing) {
    parts.push(
      `accepted ${count(sample.send.accepted)}`,
      `duplicates ${count(sample.send.duplicates)}`,
      `rejected ${count(sample.send.rejected)}`,
      `retries ${count(sample.send.retries)}`,
    );
    if (sample.send.failed > 0) parts.push(`failed ${count(sample.send.failed)}`);
  }
  for (const [name, value] of Object.entries(sample.source ?? {})) parts.push(`${name} ${count(value)}`);
  return `[${formatDuration(sample.elapsedMs)}] ${parts.join(' · ')}`;
}

/**
 * The same sample as one JSON line (`--progress-json`), for a process that wraps loadgen: the
 * send counts, the source's counters and, for a simulation, `streamTime` — the stream time of the
 * last event taken (epoch ms), which tells how far a backfill has got.
 */
export function formatProgressJson(sample: ProgressSample, streamTime?: number): string {
  const { rejectReasons: _reasons, lastError, ...counts } = sample.send;
  return JSON.stringify({
    elapsedMs: sample.elapsedMs,
    ...counts,
    ...(lastError === undefined ? {} : { lastError }),
    ...(streamTime === undefined ? {} : { streamTime }),
    ...(sample.source && Object.keys(sample.source).length > 0 ? { source: sample.source } : {}),
  });
}

export interface RunSummary {
  command: 'simulate' | 'replay';
  target: string;
  elapsedMs: number;
  send: SendStats;
  /** what the source produced: generated counts or replay statistics */
  source: Record<string, unknown>;
  interrupted: boolean;
  fatal?: string;
  exitCode: number;
}

/** The end-of-run report for people (the --json summary is the RunSummary itself). */
export function formatSummary(summary: RunSummary, printing: boolean): string {
  const { send } = summary;
  const seconds = summary.elapsedMs / 1000;
  const lines = [
    `loadgen ${summary.command} ${summary.interrupted ? 'stopped (Ctrl-C)' : 'finished'} after ${formatDuration(summary.elapsedMs)}` +
      (printing ? '' : ` → ${summary.target}`),
    `  sent       ${count(send.sent)} events (${count(Math.round(seconds > 0 ? send.sent / seconds : 0))}/s on average)`,
  ];
  if (!printing) {
    lines.push(
      `  accepted   ${count(send.accepted)}`,
      `  duplicates ${count(send.duplicates)}   (event ids already stored: client retries)`,
      `  rejected   ${count(send.rejected)}   (invalid events, listed by the gateway)`,
      `  retries    ${count(send.retries)} requests in ${count(send.requests)}`,
      `  failed     ${count(send.failed)}${send.failed > 0 && send.lastError ? `   last error: ${send.lastError}` : ''}`,
    );
    const reasons = Object.entries(send.rejectReasons).sort((a, b) => b[1] - a[1]);
    for (const [reason, n] of reasons.slice(0, 5)) lines.push(`    ${count(n)} × ${reason}`);
  }
  const source = Object.entries(summary.source).filter(([, value]) => typeof value === 'number');
  if (source.length > 0)
    lines.push(`  source     ${source.map(([name, value]) => `${name} ${count(value as number)}`).join(', ')}`);
  const examples = summary.source.badExamples;
  if (Array.isArray(examples) && examples.length > 0) {
    lines.push('  bad lines (first ones):');
    for (const example of examples as Array<{ line: number; reason: string; detail: string }>) {
      lines.push(`    line ${example.line}: ${example.reason} — ${example.detail}`);
    }
  }
  if (summary.fatal) lines.push(`  stopped: ${summary.fatal}`);
  return lines.join('\n');
}

export function formatDuration(ms: number): string {
  const total = Math.floor(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, '0')}m${String(seconds).padStart(2, '0')}s`;
  if (minutes > 0) return `${minutes}m${String(seconds).padStart(2, '0')}s`;
  return `${seconds}s`;
}
