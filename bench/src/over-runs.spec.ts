import { limitVerdict, medianProfile, overRuns } from './over-runs.js';
import type { PhaseProfile } from './process-sampler.js';

describe('overRuns', () => {
  it('takes the middle run as the median of an odd count and the mean of the two middle ones of an even count', () => {
    expect(overRuns([30, 10, 20], 'higher').median).toBe(20);
    expect(overRuns([40, 10, 30, 20], 'higher').median).toBe(25);
  });

  it('puts the p99 of a throughput on its slow side and of a latency on its high side', () => {
    const runs = [900, 1000, 1100];
    expect(overRuns(runs, 'higher').p99).toBe(900);
    expect(overRuns(runs, 'lower').p99).toBe(1100);
  });

  it('reaches the 99th value of 100 runs by nearest rank, not the maximum', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(overRuns(latencies, 'lower')).toEqual({ median: 50.5, p99: 99, min: 1, max: 100, n: 100 });
    expect(overRuns(latencies, 'higher').p99).toBe(1);
  });

  it('says n = 0 and NaN when no run succeeded', () => {
    expect(overRuns([], 'lower')).toEqual({ median: NaN, p99: NaN, min: NaN, max: NaN, n: 0 });
  });
});

const profile = (processes: Record<string, number>, machineBusy: number, otherCores = 0): PhaseProfile => ({
  phase: 'p',
  seconds: 10,
  machineBusy,
  otherCores,
  processes: Object.entries(processes)
    .map(([name, cores]) => ({ name, cores }))
    .sort((a, b) => b.cores - a.cores),
});

describe('medianProfile', () => {
  it('takes each process and the machine at their median over runs, counting a missing process as idle', () => {
    const median = medianProfile([
      profile({ gateway: 0.9, NATS: 0.5 }, 0.8),
      profile({ gateway: 1.0 }, 0.9),
      profile({ gateway: 0.95, NATS: 0.7 }, 1.0),
    ]);
    expect(median?.machineBusy).toBe(0.9);
    expect(median?.processes).toEqual([
      { name: 'gateway', cores: 0.95 },
      { name: 'NATS', cores: 0.5 },
    ]);
  });
});

describe('limitVerdict', () => {
  it('blames the machine when every core is busy, naming the busiest processes', () => {
    expect(
      limitVerdict(profile({ 'ingest-gateway': 0.98, NATS: 0.62, 'load generator': 0.35, x: 0.01 }, 0.97), 2),
    ).toBe('CPU: all 2 cores busy — ingest-gateway 98 %, NATS 62 %, load generator 35 %');
  });

  it('blames one process that holds a whole core while the machine has room', () => {
    expect(limitVerdict(profile({ cleaner: 0.93, NATS: 0.3 }, 0.62), 2)).toBe(
      'CPU of cleaner (93 % of a core) — cleaner 93 %, NATS 30 %',
    );
  });

  it('says a figure is not CPU-bound when nothing is near a core and the machine idles', () => {
    expect(limitVerdict(profile({ Cassandra: 0.4, store: 0.2 }, 0.35), 2)).toBe(
      'not CPU-bound (0.7 of 2 cores busy) — Cassandra 40 %, store 20 %',
    );
  });

  it('flags CPU that other work on the machine took', () => {
    expect(limitVerdict(profile({ store: 0.5 }, 0.95, 1.4), 2)).toBe(
      'CPU: all 2 cores busy — store 50 %; other load on the machine 140 %',
    );
  });

  it('has nothing to say without a profile', () => {
    expect(limitVerdict(undefined, 2)).toBe('–');
  });
});
