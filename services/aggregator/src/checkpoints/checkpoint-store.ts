import { type JetStreamConnection } from '@pulse/messaging';

import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { StorageType } from '@nats-io/jetstream';
import { Objm, type ObjectStore } from '@nats-io/obj';

import { type PartitionCheckpoint } from '../windows/partition-aggregator.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** What is stored per partition: the state plus what it is only valid for. */
interface CheckpointEnvelope {
  v: 1;
  /** P at the time: a checkpoint of partition p means nothing under another P */
  partitions: number;
  stream: string;
  /** creation time of the stream: sequences of a deleted and re-created stream mean nothing */
  stream_created: string;
  state: PartitionCheckpoint;
}

export class CheckpointMismatchError extends Error {}

/**
 * Partition checkpoints in a JetStream object store (one object per partition, gzip'd JSON). An
 * object store writes the chunks first and the metadata last, so a crash mid-write leaves the
 * previous checkpoint in place; replicated like the streams. Any owner of the partition — after a
 * restart or a rescale — resumes from it, which is how state moves with a partition.
 */
export class CheckpointStore {
  private store?: ObjectStore;
  private streamCreated = '';

  constructor(
    private readonly nats: JetStreamConnection,
    private readonly options: { bucket: string; replicas: number; partitions: number; stream: string },
    private readonly onStale?: (message: string) => void,
  ) {}

  async open(): Promise<void> {
    this.streamCreated = (await this.nats.jsm.streams.info(this.options.stream)).created;
    this.store = await new Objm(this.nats.js).create(this.options.bucket, {
      replicas: this.options.replicas,
      storage: StorageType.File,
      description: 'Pulse aggregator partition checkpoints',
    });
  }

  async load(partition: number): Promise<PartitionCheckpoint | undefined> {
    const bytes = await this.objects.getBlob(this.objectName(partition));
    if (!bytes) return undefined;
    const envelope = JSON.parse((await gunzipAsync(bytes)).toString('utf8')) as CheckpointEnvelope;
    if (
      envelope.v !== 1 ||
      envelope.partitions !== this.options.partitions ||
      envelope.stream !== this.options.stream
    ) {
      throw new CheckpointMismatchError(
        `checkpoint of partition ${partition} was written for ${envelope.partitions} partitions of ${envelope.stream}, ` +
          `this aggregator runs ${this.options.partitions} of ${this.options.stream}: P is fixed at install ` +
          `(docs/operations.md explains how to re-partition)`,
      );
    }
    if (envelope.stream_created !== this.streamCreated) {
      // The clean stream was deleted and created again (a reset): its sequences start over, so
      // this state would skip the new stream's first messages. Start the partition afresh.
      this.onStale?.(
        `checkpoint of partition ${partition} belongs to ${this.options.stream} created ${envelope.stream_created}, ` +
          `the stream now was created ${this.streamCreated}: ignoring it and reading the partition from the start`,
      );
      return undefined;
    }
    return envelope.state;
  }

  async save(checkpoint: PartitionCheckpoint): Promise<number> {
    const envelope: CheckpointEnvelope = {
      v: 1,
      partitions: this.options.partitions,
      stream: this.options.stream,
      stream_created: this.streamCreated,
      state: checkpoint,
    };
    const bytes = await gzipAsync(Buffer.from(JSON.stringify(envelope)));
    await this.objects.putBlob({ name: this.objectName(checkpoint.partition) }, bytes);
    return bytes.length;
  }

  private get objects(): ObjectStore {
    if (!this.store) throw new Error('checkpoint store is not open yet');
    return this.store;
  }

  private objectName(partition: number): string {
    return `partition-${partition}`;
  }
}
