import { millis, timestamp, type MetricsClient } from '@pulse/client';
import { proto } from '@pulse/contracts';

import { type TrafficStats } from '../traffic/traffic-sender.js';

const MINUTE = 60_000;

export interface DashboardSnapshot {
  perMinute: Array<{ windowStart: number; value: number }>;
  countedLast10m: number;
  queryMs: number;
  error?: string;
}

export async function snapshot(client: MetricsClient, now: number): Promise<DashboardSnapshot> {
  const to = Math.floor(now / MINUTE) * MINUTE + MINUTE;
  const from = to - 10 * MINUTE;
  const began = Date.now();
  try {
    const response = await client.getSeries({
      metric: 'events',
      dimension: 'all',
      granularity: proto.pulse.store.v1.Granularity.GRANULARITY_MINUTE,
      from: timestamp(from),
      to: timestamp(to),
    });
    const values = new Map(response.points.map((p) => [millis(p.windowStart), p.value]));
    const perMinute = [];
    for (let start = from; start < to; start += MINUTE)
      perMinute.push({ windowStart: start, value: values.get(start) ?? 0 });
    return { perMinute, countedLast10m: perMinute.reduce((s, p) => s + p.value, 0), queryMs: Date.now() - began };
  } catch (error) {
    return { perMinute: [], countedLast10m: 0, queryMs: Date.now() - began, error: (error as Error).message };
  }
}

/** The terminal view: events per minute as bars, what the simulator sent, what the store counted. */
export function render(snap: DashboardSnapshot, traffic: TrafficStats, elapsedS: number, hints: string[]): string {
  const width = 50;
  const max = Math.max(1, ...snap.perMinute.map((p) => p.value));
  const lines = [
    '\u001b[1mPulse — live shop analytics (tenant demo)\u001b[0m   ' + `running ${elapsedS}s, refreshing every second`,
    '',
    'events per minute (event time, UTC), from the store over gRPC:',
  ];
  for (const point of snap.perMinute) {
    const label = new Date(point.windowStart).toISOString().slice(11, 16);
    const bar = '█'.repeat(Math.round((point.value / max) * width));
    lines.push(`  ${label} │${bar.padEnd(width)} ${point.value}`);
  }
  if (snap.error) lines.push(`  (query failed: ${snap.error})`);
  lines.push(
    '',
    `simulator: sent ${traffic.sent}  accepted ${traffic.accepted}  duplicates ${traffic.duplicates}  rejected ${traffic.rejected}  failed requests ${traffic.failedRequests}${traffic.lastError ? ` (last: ${traffic.lastError})` : ''}`,
    `store:     ${snap.countedLast10m} events counted in the last 10 minutes  (query ${snap.queryMs} ms)`,
    '',
    ...hints,
    'Ctrl-C stops traffic, services and servers cleanly.',
  );
  return lines.join('\n');
}
