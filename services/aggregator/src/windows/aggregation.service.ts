import { STREAMS } from '@pulse/contracts';
import { JetStreamConnection } from '@pulse/messaging';

import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';

import { AGGREGATOR_CONFIG, type AggregatorConfig } from '../aggregator.config.js';
import { CheckpointStore } from '../checkpoints/checkpoint-store.js';
import { observeCheckpointAge } from './aggregator-metrics.js';
import { ownedPartitions } from './partition-aggregator.js';
import { PartitionLeases } from './partition-leases.js';
import { PartitionRunner } from './partition-runner.js';

/**
 * The aggregator replica: runs the partitions it owns (p mod R = i, or by lease), ticks their emissions every
 * emit interval, watches for idle partitions, and drains them on shutdown (each publishes what it
 * folded and saves a final checkpoint before the NATS connection closes).
 */
@Injectable()
export class AggregationService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AggregationService.name);
  private readonly runners = new Map<number, PartitionRunner>();
  private checkpoints?: CheckpointStore;
  private leases?: PartitionLeases;
  private emitTimer?: NodeJS.Timeout;
  private idleTimer?: NodeJS.Timeout;
  private statsTimer?: NodeJS.Timeout;
  private started = false;
  private ticking?: Promise<void>;

  constructor(
    private readonly nats: JetStreamConnection,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
  ) {
    observeCheckpointAge(() => {
      if (this.runners.size === 0) return undefined;
      return Math.max(...[...this.runners.values()].map((runner) => runner.checkpointAgeMs()));
    });
  }

  /** Readiness: every owned partition restored its checkpoint and is reading. */
  isRunning(): boolean {
    return this.started;
  }

  partitionRunners(): readonly PartitionRunner[] {
    return [...this.runners.values()];
  }

  async onApplicationBootstrap(): Promise<void> {
    const config = this.config;
    this.checkpoints = new CheckpointStore(
      this.nats,
      {
        bucket: config.PULSE_AGGREGATOR_CHECKPOINT_BUCKET,
        replicas: config.PULSE_STREAM_REPLICAS,
        partitions: config.PULSE_PARTITIONS,
        stream: STREAMS.clean.name,
      },
      (message) => this.logger.warn(message),
    );
    await this.checkpoints.open();
    if (config.PULSE_AGGREGATOR_ASSIGNMENT === 'lease') {
      const memberId =
        config.PULSE_AGGREGATOR_MEMBER_ID || `${hostname().replace(/[^a-zA-Z0-9_-]/g, '_')}-${process.pid}`;
      this.leases = new PartitionLeases(
        this.nats,
        {
          bucket: config.PULSE_AGGREGATOR_LEASE_BUCKET,
          replicas: config.PULSE_STREAM_REPLICAS,
          partitions: config.PULSE_PARTITIONS,
          memberId,
          leaseMs: config.PULSE_AGGREGATOR_LEASE_MS,
        },
        {
          acquire: (partition) => this.startPartition(partition),
          release: (partition) => this.stopPartition(partition, true),
          lost: (partition) => this.stopPartition(partition, false),
        },
        this.logger,
      );
      await this.leases.open();
      await this.leases.start();
      this.logger.log(
        `member ${memberId}: partitions by lease (${config.PULSE_AGGREGATOR_LEASE_MS} ms); owns ${this.leases.owned().join(',') || 'none yet'} of ${config.PULSE_PARTITIONS}`,
      );
    } else {
      const partitions = ownedPartitions(
        config.PULSE_PARTITIONS,
        config.PULSE_AGGREGATOR_REPLICAS,
        config.PULSE_AGGREGATOR_REPLICA_INDEX,
      );
      for (const partition of partitions) await this.startPartition(partition);
      this.logger.log(
        `replica ${config.PULSE_AGGREGATOR_REPLICA_INDEX}/${config.PULSE_AGGREGATOR_REPLICAS} owns partitions ${partitions.join(',')} of ${config.PULSE_PARTITIONS}`,
      );
    }
    this.emitTimer = setInterval(() => void this.tickAll(), config.PULSE_AGGREGATOR_EMIT_INTERVAL_MS);
    this.idleTimer = setInterval(() => {
      for (const runner of this.runners.values()) void runner.checkIdle();
    }, 1_000);
    this.statsTimer = setInterval(() => this.logStats(), 60_000);
    this.started = true;
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.emitTimer);
    clearInterval(this.idleTimer);
    clearInterval(this.statsTimer);
    this.started = false;
    if (this.leases) {
      // Each partition is drained and its lease deleted, so a survivor takes it at once.
      await this.leases.stop();
    } else {
      await Promise.all([...this.runners.values()].map((runner) => runner.stopReading()));
      await this.ticking;
      for (const runner of this.runners.values()) await runner.drain();
    }
    this.logStats();
  }

  private async startPartition(partition: number): Promise<void> {
    const config = this.config;
    if (!this.checkpoints) throw new Error('checkpoint store not open');
    const runner = new PartitionRunner(partition, this.nats, this.checkpoints, {
      windows: {
        outOfOrdernessMs: config.PULSE_AGGREGATOR_OUT_OF_ORDERNESS_MS,
        allowedLatenessMs: config.PULSE_AGGREGATOR_ALLOWED_LATENESS_MS,
        maxValuesPerKind: config.PULSE_AGGREGATOR_MAX_VALUES_PER_KIND,
      },
      pullBatch: config.PULSE_AGGREGATOR_PULL_BATCH,
      checkpointIntervalMs: config.PULSE_AGGREGATOR_CHECKPOINT_INTERVAL_MS,
      coarseEmitIntervalMs: config.PULSE_AGGREGATOR_COARSE_EMIT_INTERVAL_MS,
      idleTimeoutMs: config.PULSE_AGGREGATOR_IDLE_TIMEOUT_MS,
    });
    await runner.start();
    this.runners.set(partition, runner);
  }

  /** Lease mode: drain (publish + checkpoint) a partition handed over, or drop one lost. */
  private async stopPartition(partition: number, drain: boolean): Promise<void> {
    const runner = this.runners.get(partition);
    if (!runner) return;
    this.runners.delete(partition);
    await runner.stopReading();
    if (drain) await runner.drain();
  }

  /**
   * One emission per partition, one partition after another: the publishes in flight stay
   * bounded (one partition's chunk), so acknowledgements come back within the publish timeout
   * even when JetStream is busy, and a slow tick delays the next instead of piling onto it.
   */
  private async tickAll(): Promise<void> {
    if (this.ticking) return;
    this.ticking = (async () => {
      for (const runner of [...this.runners.values()]) await runner.tick();
    })().finally(() => (this.ticking = undefined));
    await this.ticking;
  }

  private logStats(): void {
    const total = { folded: 0, late: 0, partials: 0, publishFailures: 0 };
    for (const runner of this.runners.values()) {
      total.folded += runner.stats.folded;
      total.late += runner.stats.late;
      total.partials += runner.stats.partials;
      total.publishFailures += runner.stats.publishFailures;
    }
    this.logger.log(
      `events folded ${total.folded}, late ${total.late}, partials published ${total.partials}, publish retries ${total.publishFailures}`,
    );
  }
}
