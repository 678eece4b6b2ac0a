import { type JetStreamConnection } from '@pulse/messaging';

import { StorageType } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';

/**
 * Which partitions `self` should own while `members` are alive: the members sorted by id, and
 * partition p goes to member p mod M — an even split that every member computes alike from the
 * same member list. Pure.
 */
export function targetPartitions(partitions: number, members: readonly string[], self: string): number[] {
  const sorted = [...new Set(members)].sort();
  const index = sorted.indexOf(self);
  if (index < 0) return [];
  const owned: number[] = [];
  for (let p = index; p < partitions; p += sorted.length) owned.push(p);
  return owned;
}

/** What the aggregator does when a lease is won, handed over or lost. */
export interface LeaseHandlers {
  /** Start running the partition (restore its checkpoint, read from there). */
  acquire(partition: number): Promise<void>;
  /** Stop reading, publish and checkpoint what was folded (the lease is deleted afterwards). */
  release(partition: number): Promise<void>;
  /** Another member holds the partition now: stop at once, save nothing. */
  lost(partition: number): Promise<void>;
}

export interface PartitionLeaseOptions {
  bucket: string;
  replicas: number;
  partitions: number;
  memberId: string;
  /** A member or lease not renewed for this long has expired (the KV bucket's TTL). */
  leaseMs: number;
}

interface HeldLease {
  revision: number;
  renewedAt: number;
}

const memberKey = (id: string) => `members.${id}`;
const partitionKey = (p: number) => `partitions.${p}`;

/**
 * Dynamic partition ownership for aggregator replicas, on a JetStream KV bucket whose TTL is the
 * lease time. Every member heartbeats its `members.<id>` key and renews the `partitions.<p>`
 * keys it holds with compare-and-set on the key's revision; a paused or dead member's keys expire,
 * the survivors see a smaller member list, and take its partitions over with `create` (which
 * fails while another member's lease lives). When a member joins, the others hand the partitions
 * that now belong to it over: drain (publish, checkpoint), then delete the lease.
 *
 * Two owners of one partition for a moment (a member paused past its lease that wakes up before
 * it notices) are safe by construction rather than by fencing: an owner's output is a function of
 * the clean stream (rows carry the stream sequence as their version, Cassandra keeps the highest
 * version), and a checkpoint is a valid position whichever owner wrote it. A member whose
 * renewal fails stops the partition without saving anything.
 */
export class PartitionLeases {
  private kv?: KV;
  private readonly held = new Map<number, HeldLease>();
  private timer?: NodeJS.Timeout;
  private stepping?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly nats: JetStreamConnection,
    private readonly options: PartitionLeaseOptions,
    private readonly handlers: LeaseHandlers,
    private readonly log: { log(message: string): void; warn(message: string): void },
    private readonly now: () => number = Date.now,
  ) {}

  get heartbeatMs(): number {
    return Math.max(100, Math.floor(this.options.leaseMs / 4));
  }

  owned(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  async open(): Promise<void> {
    this.kv = await new Kvm(this.nats.js).create(this.options.bucket, {
      replicas: this.options.replicas,
      history: 1,
      ttl: this.options.leaseMs,
      storage: StorageType.File,
      description: 'Pulse aggregator members and partition leases',
    });
  }

  /** Runs a first round, then one every heartbeat. */
  async start(): Promise<void> {
    await this.step();
    const loop = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        void this.step()
          .catch((error) => this.log.warn(`lease round failed: ${(error as Error).message}`))
          .finally(loop);
      }, this.heartbeatMs);
    };
    loop();
  }

  /** One round: heartbeat, renew, hand over what belongs to others, take what is free. */
  step(): Promise<void> {
    this.stepping ??= this.round().finally(() => (this.stepping = undefined));
    return this.stepping;
  }

  /** Releases every partition (drained, then its lease deleted) so a survivor takes it at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.stepping;
    for (const partition of this.owned()) await this.handOver(partition);
    await this.bucket.delete(memberKey(this.options.memberId)).catch(() => undefined);
  }

  private get bucket(): KV {
    if (!this.kv) throw new Error('PartitionLeases.open() was not called');
    return this.kv;
  }

  private async round(): Promise<void> {
    if (this.stopped) return;
    const self = this.options.memberId;
    await this.bucket.put(memberKey(self), String(this.now()));
    await this.renewAll();
    const members: string[] = [];
    for await (const key of await this.bucket.keys('members.*')) members.push(key.slice('members.'.length));
    const target = new Set(targetPartitions(this.options.partitions, members, self));
    for (const partition of this.owned()) {
      if (this.stopped) return;
      if (!target.has(partition)) {
        await this.handOver(partition);
        await this.renewAll();
      }
    }
    for (const partition of target) {
      if (this.stopped || this.held.has(partition)) continue;
      let revision: number;
      try {
        revision = await this.bucket.create(partitionKey(partition), self);
      } catch {
        continue; // another member still holds it: it hands over or its lease expires
      }
      this.held.set(partition, { revision, renewedAt: this.now() });
      try {
        await this.handlers.acquire(partition);
        this.log.log(`took partition ${partition} (members: ${[...members].sort().join(', ')})`);
      } catch (error) {
        this.log.warn(`partition ${partition} not started: ${(error as Error).message}; releasing its lease`);
        this.held.delete(partition);
        await this.bucket.delete(partitionKey(partition), { previousSeq: revision }).catch(() => undefined);
      }
      await this.renewAll();
    }
  }

  private async renewAll(): Promise<void> {
    for (const [partition, lease] of [...this.held]) {
      try {
        lease.revision = await this.bucket.update(partitionKey(partition), this.options.memberId, lease.revision);
        lease.renewedAt = this.now();
      } catch (error) {
        const message = (error as Error).message;
        // A revision mismatch means another member took it; an unreachable server costs the
        // lease only once it has expired for the others too.
        const takenOver = /wrong last sequence|key exists|sequence/i.test(message);
        if (takenOver || this.now() - lease.renewedAt >= this.options.leaseMs) {
          this.held.delete(partition);
          this.log.warn(`lost the lease of partition ${partition} (${message}): stopping it`);
          await this.handlers.lost(partition);
        }
      }
    }
  }

  private async handOver(partition: number): Promise<void> {
    const lease = this.held.get(partition);
    if (!lease) return;
    await this.handlers.release(partition);
    this.held.delete(partition);
    await this.bucket.delete(partitionKey(partition), { previousSeq: lease.revision }).catch(async () => {
      // Renewed in the meantime by nobody but us: delete whatever revision it has now.
      const entry = await this.bucket.get(partitionKey(partition)).catch(() => null);
      if (entry?.string() === this.options.memberId) await this.bucket.delete(partitionKey(partition));
    });
    this.log.log(`handed partition ${partition} over`);
  }
}
