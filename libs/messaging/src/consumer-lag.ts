import { serviceMeter } from '@pulse/telemetry';

import { type ConsumerInfo } from '@nats-io/jetstream';
import { Logger } from '@nestjs/common';
import { type Attributes, type ObservableGauge } from '@opentelemetry/api';

import { type JetStreamConnection } from './jetstream-connection.js';

/**
 * Messages a consumer has not processed yet: those the server still holds for it (`num_pending`),
 * those delivered and not acknowledged (`num_ack_pending`), and those a client with no acks
 * (an ordered consumer) received and has not handled (`buffered`).
 */
export function consumerLag(info: Pick<ConsumerInfo, 'num_pending' | 'num_ack_pending'>, buffered = 0): number {
  return Math.max(0, info.num_pending) + Math.max(0, info.num_ack_pending) + Math.max(0, buffered);
}

export interface LagSource {
  stream: string;
  /** The durable's name, or the reader's role for ephemeral (ordered) consumers. */
  consumer: string;
  /** More attributes, bounded (e.g. `partition`). */
  attributes?: Attributes;
  /** Reads the lag now (a consumer info round trip). */
  read: () => Promise<number>;
}

interface Tracked extends LagSource {
  value?: number;
}

/** How often the lag is read from the server, and how long one read may take. */
export const LAG_REFRESH_MS = 5_000;
const LAG_TIMEOUT_MS = 2_000;

const logger = new Logger('ConsumerLag');
const tracked = new Set<Tracked>();
let gauge: ObservableGauge | undefined;
let timer: NodeJS.Timeout | undefined;
let refreshing = false;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timeout: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<T>((_, reject) => {
      timeout = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timeout));
}

/** Reads every tracked consumer's lag; a failed read keeps the last value (logged at debug). */
export async function refreshConsumerLag(): Promise<void> {
  if (refreshing) return;
  refreshing = true;
  try {
    await Promise.all(
      [...tracked].map(async (source) => {
        try {
          source.value = await withTimeout(source.read(), LAG_TIMEOUT_MS);
        } catch (error) {
          logger.debug(`lag of ${source.stream}/${source.consumer} not refreshed: ${(error as Error)?.message}`);
        }
      }),
    );
  } finally {
    refreshing = false;
  }
}

/**
 * Reports `pulse.consumer.lag` {message} for a consumer this process reads, refreshed every
 * LAG_REFRESH_MS on a timer (a scrape never waits for NATS) until the returned stop function is
 * called. Absent until the first read succeeded.
 */
export function trackConsumerLag(source: LagSource): () => void {
  gauge ??= (() => {
    const created = serviceMeter().createObservableGauge('pulse.consumer.lag', {
      description:
        'Messages the consumer has not processed yet: pending on the server plus delivered and unacknowledged.',
      unit: '{message}',
    });
    created.addCallback((result) => {
      for (const { stream, consumer, attributes, value } of tracked) {
        if (value !== undefined) result.observe(value, { ...attributes, stream, consumer });
      }
    });
    return created;
  })();
  const entry: Tracked = { ...source };
  tracked.add(entry);
  void refreshConsumerLag();
  timer ??= setInterval(() => void refreshConsumerLag(), LAG_REFRESH_MS).unref();
  return () => {
    tracked.delete(entry);
    if (tracked.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** The lag of a durable consumer, from its consumer info. */
export function durableConsumerLag(connection: JetStreamConnection, stream: string, durable: string): LagSource {
  return {
    stream,
    consumer: durable,
    read: async () => consumerLag(await connection.jsm.consumers.info(stream, durable)),
  };
}
