/**
 * Linux process accounting from /proc (proc(5)): the parsers are pure, the readers return
 * undefined for a process that is gone (a service can exit between listing and reading).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  /** User + system CPU time, in clock ticks. */
  cpuTicks: number;
  /** When the process started, in clock ticks after boot. */
  startTicks: number;
}

/** One line of /proc/<pid>/stat. `comm` may hold spaces and parentheses: it ends at the last ')'. */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // Fields from 3 (state) on; proc(5) numbers them from 1, so field n is rest[n - 3].
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const field = (n: number) => Number(rest[n - 3]);
  const stat = {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    ppid: field(4),
    cpuTicks: field(14) + field(15),
    startTicks: field(22),
  };
  return Number.isFinite(stat.pid) && Number.isFinite(stat.cpuTicks) && Number.isFinite(stat.startTicks)
    ? stat
    : undefined;
}

export interface ProcMemory {
  /** Peak resident set size (the kernel's high-water mark). */
  hwmKiB: number;
  rssKiB: number;
}

/** VmHWM and VmRSS of /proc/<pid>/status (absent for kernel threads and zombies). */
export function parseProcStatus(text: string): ProcMemory | undefined {
  const kib = (key: string) => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) : undefined;
  };
  const hwmKiB = kib('VmHWM');
  const rssKiB = kib('VmRSS');
  return hwmKiB === undefined || rssKiB === undefined ? undefined : { hwmKiB, rssKiB };
}

export interface MachineCpu {
  /** Ticks all cores spent on anything but idle and I/O wait (steal counts as busy: it is lost). */
  busyTicks: number;
  totalTicks: number;
  /** Boot time, epoch seconds. */
  bootSeconds: number;
}

/** The aggregate `cpu` line and `btime` of /proc/stat. */
export function parseMachineCpu(text: string): MachineCpu | undefined {
  const cpu = /^cpu\s+(.+)$/m.exec(text);
  const btime = /^btime\s+(\d+)$/m.exec(text);
  if (!cpu || !btime) return undefined;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = cpu[1]
    .trim()
    .split(/\s+/)
    .map(Number)
    .concat([0, 0, 0, 0, 0, 0, 0, 0]);
  const busyTicks = user + nice + system + irq + softirq + steal;
  return { busyTicks, totalTicks: busyTicks + idle + iowait, bootSeconds: Number(btime[1]) };
}

/**
 * Socket inodes listening on a TCP port, from /proc/net/tcp or tcp6 (state 0A is LISTEN; the
 * local address is hex `ADDR:PORT`).
 */
export function listeningInodes(text: string, port: number): number[] {
  const inodes: number[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || fields[3] !== '0A') continue;
    if (Number.parseInt(fields[1].split(':')[1] ?? '', 16) === port) inodes.push(Number(fields[9]));
  }
  return inodes;
}

/** Direct and indirect children of `root` in a process table (root itself included). */
export function descendants(table: Iterable<Pick<ProcStat, 'pid' | 'ppid'>>, root: number): number[] {
  const children = new Map<number, number[]>();
  for (const { pid, ppid } of table) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    if (found.includes(pid)) continue;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

// --- readers ---------------------------------------------------------------------------------

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function listPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

export function readProcStat(pid: number): ProcStat | undefined {
  const text = readText(`/proc/${pid}/stat`);
  return text === undefined ? undefined : parseProcStat(text);
}

export function readProcMemory(pid: number): ProcMemory | undefined {
  const text = readText(`/proc/${pid}/status`);
  return text === undefined ? undefined : parseProcStatus(text);
}

export function readCommandLine(pid: number): string[] {
  return (readText(`/proc/${pid}/cmdline`) ?? '').split('\0').filter((arg) => arg.length > 0);
}

export function readMachineCpu(): MachineCpu | undefined {
  const text = readText('/proc/stat');
  return text === undefined ? undefined : parseMachineCpu(text);
}

/** Clock ticks per second (`getconf CLK_TCK`; 100 on every common Linux). */
export function clockTicksPerSecond(): number {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(result.stdout?.trim());
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
}

/** The process listening on a local TCP port (e.g. Cassandra's CQL port), if this user can see it. */
export function pidListeningOn(port: number): number | undefined {
  const inodes = new Set(
    ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((path) => listeningInodes(readText(path) ?? '', port)),
  );
  if (inodes.size === 0) return undefined;
  for (const pid of listPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match && inodes.has(Number(match[1]))) return pid;
      } catch {
        // the descriptor closed meanwhile
      }
    }
  }
  return undefined;
}
