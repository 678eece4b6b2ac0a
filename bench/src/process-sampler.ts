/**
 * Samples, every interval, the CPU time and memory of a benchmark process and everything it
 * spawned (services, the private NATS), of given outside processes (the dev Cassandra), and of
 * the machine as a whole — so a report can say which process used the CPU while a figure was
 * measured. The arithmetic over the samples is pure and below the sampler.
 */
import {
  descendants,
  listPids,
  readCommandLine,
  readMachineCpu,
  readProcMemory,
  readProcStat,
  type ProcStat,
} from './proc-stats.js';

export interface ProcessSample {
  /** Epoch ms. */
  t: number;
  cpuSeconds: number;
  rssKiB: number;
  hwmKiB: number;
}

export interface TrackedProcess {
  pid: number;
  name: string;
  /** `spawned`: started during the run (CPU counted from 0); `outside`: running before it (counted from the first sample). */
  origin: 'spawned' | 'outside';
  /** Epoch ms. */
  startedAt: number;
  samples: ProcessSample[];
}

export interface MachineSample {
  t: number;
  busySeconds: number;
  totalSeconds: number;
}

export interface SamplerRecord {
  cores: number;
  processes: TrackedProcess[];
  machine: MachineSample[];
}

export interface Phase {
  name: string;
  /** Epoch ms. */
  from: number;
  to: number;
}

/** What a process is, from its command line: a Pulse service, NATS, Cassandra, or its own name. */
export function processLabel(argv: string[], comm: string): string {
  for (const arg of argv) {
    const service = /dist\/services\/([^/]+)\/src\/main\.js$/.exec(arg);
    if (service) return service[1];
  }
  if (comm === 'nats-server' || argv[0]?.endsWith('/nats-server')) return 'NATS';
  if (argv.includes('org.apache.cassandra.service.CassandraDaemon')) return 'Cassandra';
  return comm;
}

/** Value of a piecewise-linear series at t, flat before its first and after its last point. */
export function interpolate(points: ReadonlyArray<readonly [number, number]>, t: number): number {
  if (points.length === 0) return 0;
  if (t <= points[0][0]) return points[0][1];
  for (let i = 1; i < points.length; i += 1) {
    const [t1, v1] = points[i];
    if (t <= t1) {
      const [t0, v0] = points[i - 1];
      return t1 === t0 ? v1 : v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
    }
  }
  return points[points.length - 1][1];
}

/** Cumulative CPU seconds of a process as a series; a spawned process starts from 0 at its birth. */
function cpuSeries(process: TrackedProcess): Array<[number, number]> {
  const points = process.samples.map((s): [number, number] => [s.t, s.cpuSeconds]);
  if (process.origin === 'spawned' && (points.length === 0 || process.startedAt < points[0][0]))
    points.unshift([process.startedAt, 0]);
  return points;
}

export interface ProcessTotals {
  name: string;
  pids: number[];
  /** Highest VmHWM of a spawned process; for an outside one the highest VmRSS seen during the run. */
  peakRssMiB: number;
  /** CPU seconds used during the run (summed over processes of the same name). */
  cpuSeconds: number;
}

/** Per process name: peak resident memory and CPU seconds over the whole record. */
export function processTotals(record: SamplerRecord): ProcessTotals[] {
  const byName = new Map<string, ProcessTotals>();
  for (const process of record.processes) {
    if (process.samples.length === 0) continue;
    const first = process.samples[0];
    const last = process.samples[process.samples.length - 1];
    const peakKiB = process.origin === 'spawned' ? last.hwmKiB : Math.max(...process.samples.map((s) => s.rssKiB));
    const cpu = last.cpuSeconds - (process.origin === 'spawned' ? 0 : first.cpuSeconds);
    const totals = byName.get(process.name) ?? { name: process.name, pids: [], peakRssMiB: 0, cpuSeconds: 0 };
    totals.pids.push(process.pid);
    totals.peakRssMiB = Math.max(totals.peakRssMiB, Math.round(peakKiB / 1024));
    totals.cpuSeconds = Math.round((totals.cpuSeconds + cpu) * 10) / 10;
    byName.set(process.name, totals);
  }
  return [...byName.values()].sort((a, b) => b.cpuSeconds - a.cpuSeconds);
}

export interface PhaseProfile {
  phase: string;
  seconds: number;
  /** Share of all cores busy on the machine (0..1), whoever used them. */
  machineBusy: number;
  /** Per process name, CPU used as a share of one core (1 = one core the whole phase), highest first. */
  processes: Array<{ name: string; cores: number }>;
  /** Cores busy with processes that are not ours (other work on the machine). */
  otherCores: number;
}

/** Who used the CPU during one phase of a run. */
export function phaseProfile(record: SamplerRecord, phase: Phase): PhaseProfile {
  const seconds = Math.max(0.001, (phase.to - phase.from) / 1000);
  const byName = new Map<string, number>();
  for (const process of record.processes) {
    const series = cpuSeries(process);
    const used = interpolate(series, phase.to) - interpolate(series, phase.from);
    byName.set(process.name, (byName.get(process.name) ?? 0) + used / seconds);
  }
  const busy = record.machine.map((m): [number, number] => [m.t, m.busySeconds]);
  const total = record.machine.map((m): [number, number] => [m.t, m.totalSeconds]);
  const elapsed = interpolate(total, phase.to) - interpolate(total, phase.from);
  const machineBusy = elapsed > 0 ? (interpolate(busy, phase.to) - interpolate(busy, phase.from)) / elapsed : 0;
  const processes = [...byName.entries()]
    .map(([name, cores]) => ({ name, cores: Math.round(cores * 100) / 100 }))
    .sort((a, b) => b.cores - a.cores);
  const ours = processes.reduce((sum, p) => sum + p.cores, 0);
  return {
    phase: phase.name,
    seconds: Math.round(seconds * 10) / 10,
    machineBusy: Math.round(machineBusy * 100) / 100,
    processes,
    otherCores: Math.max(0, Math.round((machineBusy * record.cores - ours) * 100) / 100),
  };
}

// --- the sampler ---------------------------------------------------------------------------------

export interface SamplerOptions {
  /** The benchmark process: it and every process it spawns are tracked. */
  rootPid: number;
  rootName: string;
  /** Processes that ran before the benchmark and serve it (counted from the first sample). */
  outside: Array<{ pid: number; name: string }>;
  cores: number;
  clockTicks: number;
  intervalMs: number;
}

export class ProcessSampler {
  private readonly tracked = new Map<string, TrackedProcess>();
  private readonly machine: MachineSample[] = [];
  private timer?: NodeJS.Timeout;
  private lastTree: number[] = [];

  constructor(private readonly options: SamplerOptions) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.options.intervalMs);
  }

  /** Takes a last sample and returns everything recorded. */
  stop(): SamplerRecord {
    clearInterval(this.timer);
    this.sample();
    return { cores: this.options.cores, processes: [...this.tracked.values()], machine: this.machine };
  }

  /** Processes of the benchmark's tree at the last sample (to kill them if the benchmark is aborted). */
  spawnedPids(): number[] {
    return this.lastTree;
  }

  private sample(): void {
    const t = Date.now();
    const { clockTicks } = this.options;
    const cpu = readMachineCpu();
    if (cpu)
      this.machine.push({ t, busySeconds: cpu.busyTicks / clockTicks, totalSeconds: cpu.totalTicks / clockTicks });
    const table = listPids()
      .map(readProcStat)
      .filter((stat): stat is ProcStat => stat !== undefined);
    const byPid = new Map(table.map((stat) => [stat.pid, stat]));
    const tree = byPid.has(this.options.rootPid) ? descendants(table, this.options.rootPid) : [];
    this.lastTree = tree;
    const watch: Array<{ pid: number; origin: TrackedProcess['origin']; name?: string }> = [
      ...tree.map((pid) => ({
        pid,
        origin: 'spawned' as const,
        name: pid === this.options.rootPid ? this.options.rootName : undefined,
      })),
      ...this.options.outside.map(({ pid, name }) => ({ pid, origin: 'outside' as const, name })),
    ];
    for (const { pid, origin, name } of watch) {
      const stat = byPid.get(pid);
      const memory = readProcMemory(pid);
      if (!stat || !memory) continue;
      // pid and start time: a recycled pid is another process.
      const key = `${pid}@${stat.startTicks}`;
      let process = this.tracked.get(key);
      if (!process) {
        process = {
          pid,
          name: name ?? processLabel(readCommandLine(pid), stat.comm),
          origin,
          startedAt: Math.round(((cpu?.bootSeconds ?? 0) + stat.startTicks / clockTicks) * 1000),
          samples: [],
        };
        this.tracked.set(key, process);
      }
      process.samples.push({ t, cpuSeconds: stat.cpuTicks / clockTicks, rssKiB: memory.rssKiB, hwmKiB: memory.hwmKiB });
    }
  }
}
