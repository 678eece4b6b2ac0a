import { STREAMS, subjects } from '@pulse/contracts';
import { JetStreamConnection } from '@pulse/messaging';

import { Injectable } from '@nestjs/common';

import { type PipelineHealth } from '../dashboard/dashboard-snapshot.js';
import { PIPELINE_STAGES, pipelineLag, type ConsumerCounts } from './pipeline-lag.js';

/** Consumer lag is shared by every tenant: read it at most this often, whatever the open tabs. */
const LAG_TTL_MS = 900;

/**
 * Pipeline health from JetStream itself (stream and consumer info through the JetStream API, no
 * message is read): lag per stage, and the tenant's DLQ and late counts from the per-subject
 * counts of `pulse.dlq.<tenant>` and `pulse.late.<tenant>`.
 */
@Injectable()
export class PipelineHealthService {
  private lag?: { at: number; value: Promise<PipelineHealth['lag']> };

  constructor(private readonly nats: JetStreamConnection) {}

  async read(tenant: string, now = Date.now()): Promise<PipelineHealth> {
    if (!this.nats.isConnected()) throw new Error('NATS is not reachable');
    if (!this.lag || now - this.lag.at >= LAG_TTL_MS) {
      const value = this.readLag();
      this.lag = { at: now, value };
      value.catch(() => (this.lag = undefined));
    }
    const [lag, dlq, late] = await Promise.all([
      this.lag.value,
      this.subjectCount(STREAMS.dlq.name, subjects.dlq(tenant)),
      this.subjectCount(STREAMS.late.name, subjects.late(tenant)),
    ]);
    return { lag, dlq, late };
  }

  private async readLag(): Promise<PipelineHealth['lag']> {
    const byStream = new Map<string, ConsumerCounts[] | undefined>();
    await Promise.all(
      PIPELINE_STAGES.map(async ({ stream }) => {
        try {
          byStream.set(stream, await this.nats.jsm.consumers.list(stream).next());
        } catch (error) {
          if (isMissingStream(error)) byStream.set(stream, undefined);
          else throw error;
        }
      }),
    );
    return pipelineLag(byStream);
  }

  private async subjectCount(stream: string, subject: string): Promise<number> {
    try {
      const info = await this.nats.jsm.streams.info(stream, { subjects_filter: subject });
      return info.state.subjects?.[subject] ?? 0;
    } catch (error) {
      if (isMissingStream(error)) return 0;
      throw error;
    }
  }
}

function isMissingStream(error: unknown): boolean {
  return /stream not found/i.test((error as Error)?.message ?? '');
}
