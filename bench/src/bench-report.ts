import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** Median and p99 of repeated measurements (nearest-rank). */
export function summarize(values: number[]): { median: number; p99: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { median: rank(0.5), p99: rank(0.99), min: sorted[0], max: sorted[sorted.length - 1] };
}

/** Peak resident set size of a process, from the kernel's high-water mark (VmHWM). */
export function peakRssMiB(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

export function machineFacts(): Record<string, string | number> {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
  };
}
