import {
  CONTROL_HEADER,
  LATE_REASON_HEADER,
  NEWEST_EVENT_HEADER,
  STREAMS,
  subjects,
  WATERMARK_CONTROL,
  type CleanEventV1,
  type WatermarkMarkerV1,
} from '@pulse/contracts';
import {
  consumerLag,
  decodeJson,
  encodeJson,
  LinkSample,
  startProcessSpan,
  subjectTemplate,
  tracedPublish,
  trackConsumerLag,
  type JetStreamConnection,
} from '@pulse/messaging';
import { withSpan } from '@pulse/telemetry';

import { DeliverPolicy, type Consumer, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import { SpanKind, trace } from '@opentelemetry/api';

import { type CheckpointStore } from '../checkpoints/checkpoint-store.js';
import { countCheckpointSave, countLateEvent, recordWindowsClosed } from './aggregator-metrics.js';
import { PartitionAggregator, type Emission, type WindowSettings } from './partition-aggregator.js';
import { publishedClosedWindows } from './window-close.js';

export interface PartitionRunnerOptions {
  windows: WindowSettings;
  pullBatch: number;
  checkpointIntervalMs: number;
  /** Hour and day rows are emitted at this interval (minute rows at every tick). */
  coarseEmitIntervalMs: number;
  idleTimeoutMs: number;
  /** Clock of the shell (the core never reads one). */
  now?: () => number;
}

/** Publishes at most this many messages at once (acks pipelined, memory bounded). */
const PUBLISH_CHUNK = 512;
/** Messages folded between two turns of the event loop. */
const YIELD_EVERY = 256;
/** Span links an emission carries to the events folded into it (a uniform sample of them). */
const EMISSION_LINKS = 32;

const tracer = trace.getTracer('@pulse/aggregator');
/** The reason a late event carries in its Pulse-Late-Reason header. */
const LATE_REASON = 'beyond_allowed_lateness';

/**
 * Runs one partition: restores its checkpoint, reads `pulse.clean.<p>` from the message after it
 * with an ordered consumer (no acks: the checkpoint, not the consumer, is the position), folds
 * each message into the PartitionAggregator, and on every tick publishes the changed partials and
 * late events — then, at the checkpoint interval, saves the state that those partials describe.
 * A checkpoint is written only after everything it covers was acknowledged by JetStream, so a
 * crash at any point resumes from a state whose outputs are all published, and the replay of the
 * messages after it reproduces the same partials with the same versions.
 *
 * Tracing: each event is folded in its own `process pulse.clean.*` span (the cleaner's publish is
 * its parent). An emission folds many events into few partials, so it starts a new trace: the
 * `emit pulse.agg.*` span, linked to a sample of the folded events' spans, with one
 * `publish pulse.agg.*` span per partial under it — the context the store's write continues.
 */
export class PartitionRunner {
  private readonly logger: Logger;
  private state!: PartitionAggregator;
  private consumer?: Consumer;
  private messages?: ConsumerMessages;
  private untrackLag?: () => void;
  private loop?: Promise<void>;
  private ticking?: Promise<void>;
  private lastCheckpointAt = 0;
  private lastCoarseAt = 0;
  private lastArrivalAt = 0;
  private lastSavedSequence = 0;
  private stopped = false;
  private readonly foldedSpans = new LinkSample(EMISSION_LINKS);
  private readonly now: () => number;
  /** Counters for logs and metrics. */
  readonly stats = { folded: 0, late: 0, partials: 0, checkpoints: 0, checkpointBytes: 0, publishFailures: 0 };

  constructor(
    readonly partition: number,
    private readonly nats: JetStreamConnection,
    private readonly checkpoints: CheckpointStore,
    private readonly options: PartitionRunnerOptions,
  ) {
    this.logger = new Logger(`Partition(${partition})`);
    this.now = options.now ?? Date.now;
  }

  get aggregator(): PartitionAggregator {
    return this.state;
  }

  async start(): Promise<void> {
    const checkpoint = await this.checkpoints.load(this.partition);
    this.state = checkpoint
      ? PartitionAggregator.restore(checkpoint, this.options.windows)
      : new PartitionAggregator(this.partition, this.options.windows);
    this.lastSavedSequence = this.state.lastSequence;
    await this.open();
    this.lastCheckpointAt = this.now();
    // An ordered consumer acks nothing: its lag is what the server has not delivered yet plus
    // what was delivered and waits in the client's buffer, unfolded.
    this.untrackLag = trackConsumerLag({
      stream: STREAMS.clean.name,
      consumer: 'aggregator',
      attributes: { partition: this.partition },
      read: async () => {
        if (!this.consumer) throw new Error('not reading');
        return consumerLag(await this.consumer.info(), this.messages?.getPending() ?? 0);
      },
    });
    this.logger.log(
      checkpoint
        ? `resumed from checkpoint at sequence ${checkpoint.sequence} (${this.state.openWindowCount} open windows)`
        : 'no checkpoint: reading the partition from its first message',
    );
  }

  private async open(): Promise<void> {
    const from = this.state.lastSequence + 1;
    const consumer = await this.nats.js.consumers.get(STREAMS.clean.name, {
      filter_subjects: [subjects.clean(this.partition)],
      deliver_policy: from > 1 ? DeliverPolicy.StartSequence : DeliverPolicy.All,
      ...(from > 1 ? { opt_start_seq: from } : {}),
    });
    this.consumer = consumer;
    this.messages = await consumer.consume({ max_messages: this.options.pullBatch });
    this.lastArrivalAt = this.now();
    this.loop = this.consume(this.messages);
  }

  /** One emission (and a checkpoint when due). Never runs twice at once. */
  tick(force = false): Promise<void> {
    if (!this.ticking) {
      this.ticking = this.emit(force).finally(() => (this.ticking = undefined));
    }
    return this.ticking;
  }

  /** How long state folded after the last saved checkpoint has been unsaved (0: all saved). */
  checkpointAgeMs(now = this.now()): number {
    return this.state && this.state.lastSequence > this.lastSavedSequence
      ? Math.max(0, now - this.lastCheckpointAt)
      : 0;
  }

  /** Publishes a watermark marker when the partition has been idle for the idle timeout. */
  async checkIdle(): Promise<void> {
    const idleFor = this.now() - this.lastArrivalAt;
    const clock = this.state.eventClock;
    if (this.stopped || idleFor < this.options.idleTimeoutMs || clock === undefined) return;
    if (this.state.openWindowCount === 0) return;
    this.lastArrivalAt = this.now();
    const marker: WatermarkMarkerV1 = { v: 1, advance_to: clock + idleFor };
    const h = headers();
    h.set(CONTROL_HEADER, WATERMARK_CONTROL);
    try {
      await this.nats.js.publish(subjects.clean(this.partition), encodeJson(marker), {
        headers: h,
        msgID: `wm:${this.partition}:${marker.advance_to}`,
      });
    } catch (error) {
      this.logger.warn(`idle watermark marker not published: ${(error as Error).message}`);
    }
  }

  /** Stops reading, then publishes and checkpoints everything folded so far (graceful drain). */
  async stop(): Promise<void> {
    await this.stopReading();
    await this.drain();
  }

  async stopReading(): Promise<void> {
    this.stopped = true;
    this.untrackLag?.();
    await this.messages?.close().catch(() => undefined);
    await this.loop;
  }

  async drain(): Promise<void> {
    await this.ticking;
    if (this.state) await this.emit(true);
  }

  private async consume(messages: ConsumerMessages): Promise<void> {
    try {
      let sinceYield = 0;
      for await (const message of messages) {
        if (this.stopped) break;
        this.lastArrivalAt = this.now();
        this.handle(message);
        // Buffered messages resolve as microtasks; let timers (emission) and I/O (health) run.
        if (++sinceYield >= YIELD_EVERY) {
          sinceYield = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    } catch (error) {
      this.logger.error(`reading the partition failed: ${(error as Error).message}`);
    }
    if (this.stopped) return;
    // The ordered consumer recreates itself across reconnects; if it gave up, start a new one
    // from the next sequence: nothing is skipped, the state is only ever ahead by what it folded.
    this.logger.warn(`partition reader ended; resuming from sequence ${this.state.lastSequence + 1}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    if (!this.stopped) await this.open().catch((error: Error) => this.logger.error(`cannot resume: ${error.message}`));
  }

  private handle(message: JsMsg): void {
    if (message.headers?.get(CONTROL_HEADER) === WATERMARK_CONTROL) {
      const marker = this.decode(message) as WatermarkMarkerV1 | undefined;
      if (marker && Number.isFinite(marker.advance_to)) this.state.advance(marker.advance_to, message.seq);
      return;
    }
    const span = startProcessSpan(message);
    try {
      const event = this.decode(message) as CleanEventV1 | undefined;
      if (!event) return;
      if (this.state.fold(event, message.seq) === 'late') this.stats.late += 1;
      else this.stats.folded += 1;
    } finally {
      if (span) {
        span.end();
        this.foldedSpans.offer(span.spanContext());
      }
    }
  }

  private decode(message: JsMsg): unknown {
    try {
      return decodeJson(message.data);
    } catch {
      // The cleaner publishes valid JSON only; anything else is not an event to count.
      this.logger.error(`skipping undecodable message ${message.subject}#${message.seq}`);
      return undefined;
    }
  }

  private async emit(force: boolean): Promise<void> {
    // collect() and snapshot() run in one synchronous step: the checkpoint is exactly the state
    // that the collected partials describe, at `emission.sequence`.
    const now = this.now();
    const coarse = force || now - this.lastCoarseAt >= this.options.coarseEmitIntervalMs;
    const emission = this.state.collect({ coarse });
    if (coarse) this.lastCoarseAt = now;
    const due =
      coarse &&
      this.state.lastSequence > this.lastSavedSequence &&
      (force || now - this.lastCheckpointAt >= this.options.checkpointIntervalMs);
    const checkpoint = due ? this.state.snapshot() : undefined;
    const failed = await this.publishTraced(emission);
    this.recordPublished(emission, failed);
    if (failed.partials.length > 0 || failed.late.length > 0) {
      this.stats.publishFailures += 1;
      this.state.requeue(emission, failed);
      this.stats.partials += emission.partials.length - failed.partials.length;
      this.logger.warn(
        `${failed.partials.length} of ${emission.partials.length} partials and ${failed.late.length} of ${emission.late.length} late events not published, will retry: ${failed.reason}`,
      );
      return;
    }
    this.stats.partials += emission.partials.length;
    if (!checkpoint) return;
    try {
      this.stats.checkpointBytes = await this.checkpoints.save(checkpoint);
      this.stats.checkpoints += 1;
      this.lastSavedSequence = checkpoint.sequence;
      this.lastCheckpointAt = this.now();
      countCheckpointSave('ok');
    } catch (error) {
      countCheckpointSave('error');
      this.logger.warn(`checkpoint at sequence ${checkpoint.sequence} not saved: ${(error as Error).message}`);
    }
  }

  /** Metrics of what an emission published: the late events and the windows it closed. */
  private recordPublished(emission: Emission, failed: { partials: number[]; late: number[] }): void {
    const lateFailed = new Set(failed.late);
    emission.late.forEach((late, index) => {
      if (!lateFailed.has(index)) countLateEvent(late.event.tenant, LATE_REASON);
    });
    recordWindowsClosed(publishedClosedWindows(emission, failed.partials), this.now());
  }

  /** publish() in the emission's span, linked to the sampled events folded since the last one. */
  private publishTraced(emission: Emission): ReturnType<PartitionRunner['publish']> {
    if (emission.partials.length === 0 && emission.late.length === 0) return this.publish(emission);
    const subject = subjects.agg(this.partition);
    return withSpan(
      tracer,
      `emit ${subjectTemplate(subject)}`,
      {
        kind: SpanKind.INTERNAL,
        root: true,
        links: this.foldedSpans.drain(),
        attributes: {
          'pulse.partition': this.partition,
          'pulse.partials': emission.partials.length,
          'pulse.late_events': emission.late.length,
        },
      },
      () => this.publish(emission),
    );
  }

  /** Publishes everything, pipelined in chunks; returns what was not acknowledged. */
  private async publish(emission: Emission): Promise<{ partials: number[]; late: number[]; reason?: string }> {
    const sends: Array<{ kind: 'partials' | 'late'; index: number; send: () => Promise<unknown> }> = [];
    emission.partials.forEach((partial, index) => {
      const id = `${partial.partition}:${partial.tenant}:${partial.granularity}:${partial.window_start}:${partial.dimension}:${partial.version}`;
      const subject = subjects.agg(this.partition);
      const newest = emission.newestEventAt[index];
      sends.push({
        kind: 'partials',
        index,
        send: () => {
          const data = encodeJson(partial);
          let h;
          if (newest !== undefined) {
            h = headers();
            h.set(NEWEST_EVENT_HEADER, String(newest));
          }
          return tracedPublish(subject, { msgId: id, bodySize: data.length }, h, (traceHeaders) =>
            this.nats.js.publish(subject, data, { msgID: id, headers: traceHeaders }),
          );
        },
      });
    });
    emission.late.forEach((late, index) => {
      const h = headers();
      h.set(LATE_REASON_HEADER, LATE_REASON);
      h.set('Pulse-Watermark', String(late.watermark));
      const subject = subjects.late(late.event.tenant);
      const msgId = `late:${this.partition}:${late.sequence}`;
      sends.push({
        kind: 'late',
        index,
        send: () => {
          const data = encodeJson(late.event);
          return tracedPublish(subject, { msgId, bodySize: data.length }, h, (traceHeaders) =>
            this.nats.js.publish(subject, data, { headers: traceHeaders, msgID: msgId }),
          );
        },
      });
    });
    const failed = { partials: [] as number[], late: [] as number[], reason: undefined as string | undefined };
    for (let i = 0; i < sends.length; i += PUBLISH_CHUNK) {
      const chunk = sends.slice(i, i + PUBLISH_CHUNK);
      if (failed.reason !== undefined) {
        // NATS is failing: do not pile more publishes on it; the rest waits for the next tick.
        for (const item of chunk) failed[item.kind].push(item.index);
        continue;
      }
      const results = await Promise.allSettled(chunk.map((item) => item.send()));
      results.forEach((result, j) => {
        if (result.status === 'fulfilled') return;
        failed[chunk[j].kind].push(chunk[j].index);
        failed.reason ??= (result.reason as Error).message;
      });
    }
    return failed;
  }
}
