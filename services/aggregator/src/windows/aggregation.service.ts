import { STREAMS } from '@pulse/contracts';
import { JetStreamConnection } from '@pulse/messaging';

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';

import { AGGREGATOR_CONFIG, type AggregatorConfig } from '../aggregator.config.js';
import { CheckpointStore } from '../checkpoints/checkpoint-store.js';
import { ownedPartitions } from './partition-aggregator.js';
import { PartitionRunner } from './partition-runner.js';

/**
 * The aggregator replica: runs the partitions it owns (p mod R = i), ticks their emissions every
 * emit interval, watches for idle partitions, and drains them on shutdown (each publishes what it
 * folded and saves a final checkpoint before the NATS connection closes).
 */
@Injectable()
export class AggregationService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AggregationService.name);
  private readonly runners: PartitionRunner[] = [];
  private emitTimer?: NodeJS.Timeout;
  private idleTimer?: NodeJS.Timeout;
  private statsTimer?: NodeJS.Timeout;
  private started = false;
  private ticking?: Promise<void>;

  constructor(
    private readonly nats: JetStreamConnection,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
  ) {}

  /** Readiness: every owned partition restored its checkpoint and is reading. */
  isRunning(): boolean {
    return this.started;
  }

  partitionRunners(): readonly PartitionRunner[] {
    return this.runners;
  }

  async onApplicationBootstrap(): Promise<void> {
    const config = this.config;
    const checkpoints = new CheckpointStore(
      this.nats,
      {
        bucket: config.PULSE_AGGREGATOR_CHECKPOINT_BUCKET,
        replicas: config.PULSE_STREAM_REPLICAS,
        partitions: config.PULSE_PARTITIONS,
        stream: STREAMS.clean.name,
      },
      (message) => this.logger.warn(message),
    );
    await checkpoints.open();
    const partitions = ownedPartitions(
      config.PULSE_PARTITIONS,
      config.PULSE_AGGREGATOR_REPLICAS,
      config.PULSE_AGGREGATOR_REPLICA_INDEX,
    );
    for (const partition of partitions) {
      const runner = new PartitionRunner(partition, this.nats, checkpoints, {
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
      this.runners.push(runner);
    }
    this.emitTimer = setInterval(() => void this.tickAll(), config.PULSE_AGGREGATOR_EMIT_INTERVAL_MS);
    this.idleTimer = setInterval(() => {
      for (const runner of this.runners) void runner.checkIdle();
    }, 1_000);
    this.statsTimer = setInterval(() => this.logStats(), 60_000);
    this.started = true;
    this.logger.log(
      `replica ${config.PULSE_AGGREGATOR_REPLICA_INDEX}/${config.PULSE_AGGREGATOR_REPLICAS} owns partitions ${partitions.join(',')} of ${config.PULSE_PARTITIONS}`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.emitTimer);
    clearInterval(this.idleTimer);
    clearInterval(this.statsTimer);
    this.started = false;
    await Promise.all(this.runners.map((runner) => runner.stopReading()));
    await this.ticking;
    for (const runner of this.runners) await runner.drain();
    this.logStats();
  }

  /**
   * One emission per partition, one partition after another: the publishes in flight stay
   * bounded (one partition's chunk), so acknowledgements come back within the publish timeout
   * even when JetStream is busy, and a slow tick delays the next instead of piling onto it.
   */
  private async tickAll(): Promise<void> {
    if (this.ticking) return;
    this.ticking = (async () => {
      for (const runner of this.runners) await runner.tick();
    })().finally(() => (this.ticking = undefined));
    await this.ticking;
  }

  private logStats(): void {
    const total = { folded: 0, late: 0, partials: 0, publishFailures: 0 };
    for (const runner of this.runners) {
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
