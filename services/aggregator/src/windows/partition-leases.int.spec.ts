import { JetStreamConnection } from '@pulse/messaging';
import { freePort, PrivateNats } from '@pulse/testing';

import { PartitionLeases, targetPartitions, type LeaseHandlers } from './partition-leases.js';

// Lease-based partition ownership against a real NATS server (JetStream KV with a TTL): members
// split the partitions, a member that stops renewing loses them to the survivor, and gets its
// share back when it returns — never two live owners after a round, never a partition nobody owns.
const PARTITIONS = 8;
const LEASE_MS = 1_500;

let nats: PrivateNats;
let connection: JetStreamConnection;

beforeAll(async () => {
  nats = new PrivateNats(await freePort());
  await nats.start();
  connection = new JetStreamConnection({ servers: [nats.url], name: 'leases-itest', streams: [] });
  await connection.open();
}, 30_000);

afterAll(async () => {
  await connection?.close();
  await nats?.destroy();
});

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A member whose handlers only record what they were asked to do. */
function member(id: string, bucket: string) {
  const running = new Set<number>();
  const events: string[] = [];
  const handlers: LeaseHandlers = {
    acquire: async (p) => {
      expect(running.has(p)).toBe(false);
      running.add(p);
      events.push(`acquire ${p}`);
    },
    release: async (p) => {
      running.delete(p);
      events.push(`release ${p}`);
    },
    lost: async (p) => {
      running.delete(p);
      events.push(`lost ${p}`);
    },
  };
  const quiet = { log: () => undefined, warn: () => undefined };
  const leases = new PartitionLeases(
    connection,
    { bucket, replicas: 1, partitions: PARTITIONS, memberId: id, leaseMs: LEASE_MS },
    handlers,
    quiet,
  );
  return { id, leases, running, events };
}

const all = Array.from({ length: PARTITIONS }, (_, p) => p);

describe('targetPartitions', () => {
  it('splits partitions evenly by the sorted member list, the same for every member', () => {
    expect(targetPartitions(8, ['b', 'a'], 'a')).toEqual([0, 2, 4, 6]);
    expect(targetPartitions(8, ['a', 'b'], 'b')).toEqual([1, 3, 5, 7]);
    expect(targetPartitions(5, ['x'], 'x')).toEqual([0, 1, 2, 3, 4]);
    expect(targetPartitions(5, ['x'], 'y')).toEqual([]);
    const members = ['m3', 'm1', 'm2'];
    const union = members.flatMap((m) => targetPartitions(16, members, m)).sort((a, b) => a - b);
    expect(union).toEqual(Array.from({ length: 16 }, (_, p) => p));
  });
});

describe('PartitionLeases (real NATS KV)', () => {
  it('moves partitions to the survivor when a member stops renewing, and back when it returns', async () => {
    const bucket = `leases-${Date.now().toString(36)}`;
    const a = member('a', bucket);
    const b = member('b', bucket);
    await a.leases.open();
    await b.leases.open();

    // A alone owns everything.
    await a.leases.step();
    expect(a.leases.owned()).toEqual(all);
    expect([...a.running].sort((x, y) => x - y)).toEqual(all);

    // B joins: A hands B's half over (drained first), B takes it on its next round.
    await b.leases.step();
    expect(b.leases.owned()).toEqual([]); // A still holds them
    await a.leases.step();
    expect(a.leases.owned()).toEqual([0, 2, 4, 6]);
    expect(a.events.filter((e) => e.startsWith('release')).sort()).toEqual([
      'release 1',
      'release 3',
      'release 5',
      'release 7',
    ]);
    await b.leases.step();
    expect(b.leases.owned()).toEqual([1, 3, 5, 7]);

    // B pauses (stops renewing). Until its lease expires nothing moves; then A takes it all.
    await a.leases.step();
    expect(a.leases.owned()).toEqual([0, 2, 4, 6]);
    const pausedUntil = Date.now() + LEASE_MS + 1_500;
    while (Date.now() < pausedUntil) {
      await a.leases.step(); // A keeps renewing while B is silent
      await wait(250);
    }
    await a.leases.step();
    expect(a.leases.owned()).toEqual(all);
    expect(a.events.some((e) => e.startsWith('lost'))).toBe(false);

    // B wakes up: its renewals fail (A holds those leases now), so it stops them without saving.
    await b.leases.step();
    expect(b.events.filter((e) => e.startsWith('lost')).sort()).toEqual(['lost 1', 'lost 3', 'lost 5', 'lost 7']);
    expect(b.running.size).toBe(0);
    // ... and gets its share back as A hands it over.
    await a.leases.step();
    await b.leases.step();
    expect(a.leases.owned()).toEqual([0, 2, 4, 6]);
    expect(b.leases.owned()).toEqual([1, 3, 5, 7]);
    // Never two members running one partition after a round.
    for (const p of all) expect(Number(a.running.has(p)) + Number(b.running.has(p))).toBe(1);

    // A graceful stop releases everything at once, and B takes it without waiting for a TTL.
    await a.leases.stop();
    expect(a.running.size).toBe(0);
    await b.leases.step();
    expect(b.leases.owned()).toEqual(all);
    await b.leases.stop();
  }, 30_000);
});
