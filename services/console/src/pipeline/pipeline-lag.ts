import { STREAMS } from '@pulse/contracts';

import { type ConsumerLag } from '../dashboard/dashboard-snapshot.js';

/** The streams whose consumers make the pipeline, in data-path order, and the stage reading each. */
export const PIPELINE_STAGES = [
  { stream: STREAMS.raw.name, stage: 'cleaner' },
  { stream: STREAMS.clean.name, stage: 'aggregator' },
  { stream: STREAMS.agg.name, stage: 'store' },
] as const;

/** The part of a JetStream ConsumerInfo the lag is computed from. */
export interface ConsumerCounts {
  num_pending: number;
  num_ack_pending: number;
}

/**
 * Lag per stage: messages its consumers have not been delivered yet plus those delivered and not
 * acknowledged, summed over the stage's consumers (the aggregator runs one ordered consumer per
 * partition it owns). A stream that does not exist yet (`undefined`) counts as no consumers.
 */
export function pipelineLag(
  consumersByStream: ReadonlyMap<string, readonly ConsumerCounts[] | undefined>,
): ConsumerLag[] {
  return PIPELINE_STAGES.map(({ stream, stage }) => {
    const consumers = consumersByStream.get(stream) ?? [];
    return {
      stream,
      stage,
      consumers: consumers.length,
      pending: consumers.reduce((sum, c) => sum + c.num_pending, 0),
      ackPending: consumers.reduce((sum, c) => sum + c.num_ack_pending, 0),
    };
  });
}
