import { descendants, listeningInodes, parseMachineCpu, parseProcStat, parseProcStatus } from './proc-stats.js';

describe('parseProcStat', () => {
  it('reads ppid, user + system ticks and start time of a /proc/<pid>/stat line', () => {
    const line =
      '21040 (cat) R 21037 21037 32214 0 -1 4194304 101 0 0 0 250 40 0 0 20 0 1 0 2139449 3133440 383 18446744073709551615 0 0 0\n';
    expect(parseProcStat(line)).toEqual({ pid: 21040, comm: 'cat', ppid: 21037, cpuTicks: 290, startTicks: 2139449 });
  });

  it('keeps a command name with spaces and parentheses whole (it ends at the last parenthesis)', () => {
    const line = '77 (node (main) x) S 1 77 77 0 -1 0 0 0 0 0 7 3 0 0 20 0 11 0 500 0 0';
    expect(parseProcStat(line)).toEqual({ pid: 77, comm: 'node (main) x', ppid: 1, cpuTicks: 10, startTicks: 500 });
  });

  it('rejects text that is not a stat line', () => {
    expect(parseProcStat('')).toBeUndefined();
    expect(parseProcStat('12 (x) S')).toBeUndefined();
  });
});

describe('parseProcStatus', () => {
  it('reads the peak (VmHWM) and current (VmRSS) resident set in KiB', () => {
    const status = 'Name:\tnode\nVmPeak:\t 9999 kB\nVmHWM:\t  501234 kB\nVmRSS:\t  400000 kB\nThreads:\t11\n';
    expect(parseProcStatus(status)).toEqual({ hwmKiB: 501234, rssKiB: 400000 });
  });

  it('gives nothing for a kernel thread, which has no Vm lines', () => {
    expect(parseProcStatus('Name:\tkworker/0:1\nState:\tI (idle)\n')).toBeUndefined();
  });
});

describe('parseMachineCpu', () => {
  it('counts everything but idle and iowait as busy, steal included', () => {
    const stat = 'cpu  100 5 20 1000 50 1 2 7 0 0\ncpu0 50 2 10 500 25 0 1 3 0 0\nbtime 1795786691\n';
    expect(parseMachineCpu(stat)).toEqual({ busyTicks: 135, totalTicks: 1185, bootSeconds: 1795786691 });
  });
});

describe('listeningInodes', () => {
  const table = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:2352 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 267749 2 0',
    '   1: 0100007F:2352 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 300000 2 0',
    '   2: 00000000:4A9A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 267941 1 0',
  ].join('\n');

  it('finds the socket listening on a port (9042 = 0x2352), not its connections', () => {
    expect(listeningInodes(table, 9042)).toEqual([267749]);
    expect(listeningInodes(table, 19098)).toEqual([267941]);
    expect(listeningInodes(table, 4222)).toEqual([]);
  });
});

describe('descendants', () => {
  it('walks children and grandchildren of the root and nothing else', () => {
    const table = [
      { pid: 1, ppid: 0 },
      { pid: 10, ppid: 1 },
      { pid: 11, ppid: 10 },
      { pid: 12, ppid: 10 },
      { pid: 13, ppid: 12 },
      { pid: 20, ppid: 1 },
    ];
    expect(descendants(table, 10).sort((a, b) => a - b)).toEqual([10, 11, 12, 13]);
    expect(descendants(table, 99)).toEqual([99]);
  });
});
