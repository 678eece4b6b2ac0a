import { createRawEventValidator, messageId, subjects, type EventValidation } from '@pulse/contracts';
import { encodeJson, JetStreamConnection } from '@pulse/messaging';

import { JetStreamApiError } from '@nats-io/jetstream';
import { Inject, Injectable, Logger } from '@nestjs/common';

import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config.js';
import { IngestError } from './ingest-error.js';
import { countIngested } from './ingest-metrics.js';
import { RawPublisher } from './raw-publisher.js';
import { type Candidate } from './request-body.js';
import { TenantRateLimiter } from './tenant-rate-limiter.js';

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Array<{ index: number; reason: string }>;
}

/** JetStream answers these when a stream (DiscardPolicy.New) or the server's storage is full. */
const STREAM_FULL = /maximum (bytes|messages)|insufficient (storage )?resources|resource limits exceeded/i;

/**
 * The ingest use case shared by HTTP and gRPC: validate every candidate, rate-limit by tenant,
 * publish the valid ones to `pulse.raw.<tenant>` pipelined (one Nats-Msg-Id per event, so client
 * retries deduplicate), and resolve only when JetStream acked them all.
 */
@Injectable()
export class EventsService {
  private readonly logger = new Logger(EventsService.name);
  private readonly validate: (candidate: unknown) => EventValidation;

  constructor(
    private readonly nats: JetStreamConnection,
    private readonly publisher: RawPublisher,
    private readonly rateLimiter: TenantRateLimiter,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.validate = createRawEventValidator({
      maxIdLength: config.PULSE_INGEST_MAX_ID_LENGTH,
      maxTextLength: config.PULSE_INGEST_MAX_TEXT_LENGTH,
      maxAttributes: config.PULSE_INGEST_MAX_ATTRIBUTES,
    });
  }

  /**
   * @param indexOffset position of the first candidate in the client's whole request (gRPC streams)
   * Any publish failure fails the whole call: the client retries it and the events that were
   * persisted come back as duplicates — nothing is lost and nothing counted twice.
   */
  async ingest(tenant: string, candidates: readonly Candidate[], indexOffset = 0): Promise<IngestResult> {
    if (candidates.length > this.config.PULSE_INGEST_MAX_BATCH) {
      throw new IngestError(
        'too_large',
        `${candidates.length} events in one request; the limit is ${this.config.PULSE_INGEST_MAX_BATCH}`,
      );
    }
    const rejected: IngestResult['rejected'] = [];
    const valid: Array<{ id: string; payload: Uint8Array }> = [];
    const seen = new Set<string>();
    let duplicatesInRequest = 0;
    candidates.forEach((candidate, position) => {
      const index = indexOffset + position;
      if (!candidate.ok) {
        rejected.push({ index, reason: candidate.reason });
        return;
      }
      const validation = this.validate(candidate.value);
      if (!validation.ok) {
        rejected.push({ index, reason: validation.reason });
        return;
      }
      const id = validation.event.event_id;
      if (seen.has(id)) {
        duplicatesInRequest += 1;
        return;
      }
      seen.add(id);
      valid.push({ id, payload: encodeJson(validation.event) });
    });
    if (valid.length === 0 && rejected.length > 0) {
      countIngested({ accepted: 0, duplicates: duplicatesInRequest, rejected: rejected.length });
      throw new IngestError('no_valid_events', 'no event in the request is valid', undefined, rejected);
    }
    await this.rateLimiter.take(tenant, valid.length);
    if (valid.length > 0 && !this.nats.isConnected()) {
      throw new IngestError('unavailable', 'the event stream is unreachable; retry later', 2);
    }

    const subject = subjects.raw(tenant);
    let alreadyStored: number;
    try {
      ({ duplicates: alreadyStored } = await this.publisher.publish(
        subject,
        valid.map(({ id, payload }) => ({ msgId: messageId(tenant, id), payload })),
      ));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof JetStreamApiError && STREAM_FULL.test(message)) {
        this.logger.warn(`stream full for ${subject}: ${message}`);
        throw new IngestError('stream_full', 'the event stream is full; retry later', 5);
      }
      this.logger.warn(`publish to ${subject} failed: ${message}`);
      throw new IngestError('unavailable', 'the event stream did not acknowledge the events; retry later', 2);
    }
    const result = {
      accepted: valid.length - alreadyStored,
      duplicates: alreadyStored + duplicatesInRequest,
      rejected,
    };
    countIngested({ ...result, rejected: rejected.length });
    return result;
  }
}
