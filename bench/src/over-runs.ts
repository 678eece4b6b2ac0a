import type { PhaseProfile } from './process-sampler.js';

/** Which way a figure improves: throughput higher, latency lower. */
export type Better = 'higher' | 'lower';

export interface OverRuns {
  median: number;
  /**
   * The 99th percentile on the figure's worse side (nearest rank): the 99th of latencies, the 1st of
   * throughputs. With fewer than 100 runs that is the worst run.
   */
  p99: number;
  min: number;
  max: number;
  n: number;
}

/** Nearest-rank percentile (q in 0..1) of sorted values. */
function nearestRank(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Median (the mean of the two middle values for an even count) and worse-side p99 of repeated runs. */
export function overRuns(values: number[], better: Better): OverRuns {
  if (values.length === 0) return { median: Number.NaN, p99: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = sorted.length % 2 === 1 ? sorted[Math.floor(middle)] : (sorted[middle - 1] + sorted[middle]) / 2;
  return {
    median,
    p99: better === 'lower' ? nearestRank(sorted, 0.99) : nearestRank(sorted, 0.01),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    n: sorted.length,
  };
}

function median(values: number[]): number {
  return overRuns(values, 'lower').median;
}

/** The typical CPU picture of one phase over runs: per process and for the machine, the median. */
export function medianProfile(profiles: PhaseProfile[]): PhaseProfile | undefined {
  if (profiles.length === 0) return undefined;
  const names = [...new Set(profiles.flatMap((p) => p.processes.map((process) => process.name)))];
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    phase: profiles[0].phase,
    seconds: round(median(profiles.map((p) => p.seconds))),
    machineBusy: round(median(profiles.map((p) => p.machineBusy))),
    otherCores: round(median(profiles.map((p) => p.otherCores))),
    processes: names
      .map((name) => ({
        name,
        cores: round(median(profiles.map((p) => p.processes.find((process) => process.name === name)?.cores ?? 0))),
      }))
      .sort((a, b) => b.cores - a.cores),
  };
}

const percentOfCore = (cores: number) => `${Math.round(cores * 100)} %`;

/**
 * What bounds a figure, read from the CPU used while it was measured: the whole machine (every core
 * busy), one process's thread (a Node service near 100 % of a core), or nothing CPU-bound (then
 * the figure waits on I/O, a timer or another process's latency). Names the busiest processes;
 * flags CPU taken by work that is not the benchmark's.
 */
export function limitVerdict(profile: PhaseProfile | undefined, cores: number): string {
  if (!profile) return '–';
  const busiest = profile.processes.filter((p) => p.cores >= 0.05).slice(0, 3);
  const list = busiest.map((p) => `${p.name} ${percentOfCore(p.cores)}`).join(', ');
  const other = profile.otherCores >= 0.15 ? `; other load on the machine ${percentOfCore(profile.otherCores)}` : '';
  const top = busiest[0];
  if (profile.machineBusy >= 0.9) return `CPU: all ${cores} cores busy — ${list}${other}`;
  if (top && top.cores >= 0.85) return `CPU of ${top.name} (${percentOfCore(top.cores)} of a core) — ${list}${other}`;
  const busy = `${Math.round(profile.machineBusy * cores * 10) / 10} of ${cores} cores busy`;
  return `not CPU-bound (${busy}) — ${list || 'idle'}${other}`;
}
