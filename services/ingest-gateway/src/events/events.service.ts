import { messageId, subjects, validateRawEvent } from '@pulse/contracts';
import { encodeJson, JetStreamConnection } from '@pulse/messaging';

import { Inject, Injectable, Logger } from '@nestjs/common';

import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config.js';
import { problems } from '../problems/problem.js';
import { type Candidate } from './request-body.js';

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Array<{ index: number; reason: string }>;
}

@Injectable()
export class EventsService {
  private readonly logger = new Logger(EventsService.name);

  constructor(
    private readonly nats: JetStreamConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /**
   * Validates every candidate, publishes the valid ones to `pulse.raw.<tenant>` (pipelined, one
   * Nats-Msg-Id per event so retries dedupe) and resolves only when JetStream acked them all.
   * Any publish failure fails the whole request with 503: the client retries the batch and the
   * already-persisted events come back as duplicates, so nothing is lost or counted twice.
   */
  async ingest(tenant: string, candidates: Candidate[]): Promise<IngestResult> {
    if (candidates.length > this.config.PULSE_INGEST_MAX_BATCH) {
      throw problems.tooLarge(
        `${candidates.length} events in one request; the limit is ${this.config.PULSE_INGEST_MAX_BATCH}`,
      );
    }
    const rejected: IngestResult['rejected'] = [];
    const publishes: Array<Promise<{ duplicate: boolean }>> = [];
    const subject = subjects.raw(tenant);
    const seen = new Set<string>();
    candidates.forEach((candidate, index) => {
      if (!candidate.ok) {
        rejected.push({ index, reason: candidate.reason });
        return;
      }
      const validation = validateRawEvent(candidate.value);
      if (!validation.ok) {
        rejected.push({ index, reason: validation.reason });
        return;
      }
      const id = validation.event.event_id;
      if (seen.has(id)) {
        publishes.push(Promise.resolve({ duplicate: true }));
        return;
      }
      seen.add(id);
      publishes.push(this.nats.js.publish(subject, encodeJson(validation.event), { msgID: messageId(tenant, id) }));
    });
    if (publishes.length === 0 && rejected.length > 0) throw problems.noValidEvents(rejected);

    let acks: Array<{ duplicate: boolean }>;
    try {
      acks = await Promise.all(publishes);
    } catch (error) {
      this.logger.warn(`publish to ${subject} failed: ${(error as Error).message}`);
      throw problems.unavailable('the event stream did not acknowledge the events');
    }
    const duplicates = acks.filter((ack) => ack.duplicate).length;
    return { accepted: acks.length - duplicates, duplicates, rejected };
  }
}
