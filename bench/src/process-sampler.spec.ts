import {
  interpolate,
  phaseProfile,
  processLabel,
  processTotals,
  type SamplerRecord,
  type TrackedProcess,
} from './process-sampler.js';

describe('processLabel', () => {
  it('names a Pulse service by its dist folder', () => {
    const argv = [
      '/usr/bin/node',
      '--enable-source-maps',
      '--import',
      '/w/dist/libs/telemetry/src/preload.js',
      '/w/dist/services/ingest-gateway/src/main.js',
    ];
    expect(processLabel(argv, 'node')).toBe('ingest-gateway');
  });

  it('recognises NATS and Cassandra, and falls back to the command name', () => {
    expect(processLabel(['/w/.cache/bin/nats-server', '-p', '4222'], 'nats-server')).toBe('NATS');
    expect(processLabel(['/usr/bin/java', '-Xmx1G', 'org.apache.cassandra.service.CassandraDaemon'], 'java')).toBe(
      'Cassandra',
    );
    expect(processLabel(['/bin/sh', '-c', 'x'], 'sh')).toBe('sh');
  });
});

describe('interpolate', () => {
  const points = [
    [1000, 0],
    [2000, 10],
    [4000, 20],
  ] as const;

  it('is linear between points and flat outside them', () => {
    expect(interpolate(points, 1500)).toBe(5);
    expect(interpolate(points, 3000)).toBe(15);
    expect(interpolate(points, 500)).toBe(0);
    expect(interpolate(points, 9000)).toBe(20);
    expect(interpolate([], 9000)).toBe(0);
  });
});

const process = (over: Partial<TrackedProcess> & Pick<TrackedProcess, 'samples'>): TrackedProcess => ({
  pid: 1,
  name: 'x',
  origin: 'spawned',
  startedAt: 0,
  ...over,
});
const sample = (t: number, cpuSeconds: number, rssMiB = 100, hwmMiB = rssMiB) => ({
  t,
  cpuSeconds,
  rssKiB: rssMiB * 1024,
  hwmKiB: hwmMiB * 1024,
});

describe('processTotals', () => {
  it('sums the CPU of processes of one name and keeps the highest peak RSS among them', () => {
    const record: SamplerRecord = {
      cores: 2,
      machine: [],
      processes: [
        process({ pid: 1, name: 'ingest-gateway', samples: [sample(1000, 1), sample(2000, 4, 200, 480)] }),
        process({ pid: 2, name: 'ingest-gateway', samples: [sample(3000, 2, 150, 240)] }),
        process({ pid: 3, name: 'NATS', samples: [sample(1000, 0.5, 20)] }),
      ],
    };
    expect(processTotals(record)).toEqual([
      { name: 'ingest-gateway', pids: [1, 2], peakRssMiB: 480, cpuSeconds: 6 },
      { name: 'NATS', pids: [3], peakRssMiB: 20, cpuSeconds: 0.5 },
    ]);
  });

  it('counts a process that ran before the run from its first sample, and its RSS as the highest seen', () => {
    const record: SamplerRecord = {
      cores: 2,
      machine: [],
      processes: [
        process({
          name: 'Cassandra',
          origin: 'outside',
          samples: [sample(1000, 500, 1500, 3000), sample(2000, 512, 1700, 3000), sample(3000, 520, 1600, 3000)],
        }),
      ],
    };
    expect(processTotals(record)).toEqual([{ name: 'Cassandra', pids: [1], peakRssMiB: 1700, cpuSeconds: 20 }]);
  });
});

describe('phaseProfile', () => {
  const record: SamplerRecord = {
    cores: 2,
    machine: [
      { t: 0, busySeconds: 0, totalSeconds: 0 },
      { t: 10_000, busySeconds: 18, totalSeconds: 20 },
    ],
    processes: [
      // Spawned at t = 2 s and busy on one core from then on.
      process({ name: 'cleaner', startedAt: 2_000, samples: [sample(4_000, 2), sample(10_000, 8)] }),
      process({ name: 'NATS', samples: [sample(0, 0), sample(10_000, 5)] }),
    ],
  };

  it('gives each process its CPU during the phase as a share of one core, a spawned one from its birth', () => {
    const profile = phaseProfile(record, { name: 'drain', from: 2_000, to: 6_000 });
    expect(profile.processes).toEqual([
      { name: 'cleaner', cores: 1 },
      { name: 'NATS', cores: 0.5 },
    ]);
    expect(profile.seconds).toBe(4);
    expect(profile.machineBusy).toBe(0.9);
    // 0.9 × 2 cores busy, 1.5 of them ours.
    expect(profile.otherCores).toBe(0.3);
  });

  it('sees no CPU of a process before it was born', () => {
    const profile = phaseProfile(record, { name: 'before', from: 0, to: 2_000 });
    expect(profile.processes.find((p) => p.name === 'cleaner')?.cores).toBe(0);
  });
});
