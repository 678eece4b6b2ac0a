import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config.js';
import { IngestError } from './ingest-error.js';

/**
 * Events per second per tenant, averaged over a window (so short bursts pass): a counter per
 * tenant in memory (rate-limiter-flexible). Limits are per gateway replica; with N replicas behind
 * a load balancer a tenant gets up to N × the rate (docs/api.md).
 */
@Injectable()
export class TenantRateLimiter {
  private readonly limiter: RateLimiterMemory | undefined;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    const rate = config.PULSE_INGEST_RATE_LIMIT_EVENTS_PER_SECOND;
    this.limiter =
      rate > 0
        ? new RateLimiterMemory({
            points: rate * config.PULSE_INGEST_RATE_LIMIT_WINDOW_SECONDS,
            duration: config.PULSE_INGEST_RATE_LIMIT_WINDOW_SECONDS,
          })
        : undefined;
  }

  /** Takes `events` tokens from the tenant's bucket or throws a rate_limited IngestError. */
  async take(tenant: string, events: number): Promise<void> {
    if (!this.limiter || events === 0) return;
    try {
      await this.limiter.consume(tenant, events);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw new IngestError('rate_limited', `tenant ${tenant} is over its event rate limit`, retryAfter);
      }
      throw rejection;
    }
  }
}
