import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';

export interface ReadinessCheck {
  name: string;
  ready: () => boolean | Promise<boolean>;
}

/** Token for the list of ReadinessCheck each service provides (NATS connected, Cassandra up, ...). */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/** `/healthz` (liveness: the process answers) and `/readyz` (every dependency ready) for probes. */
@Controller()
export class HealthController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[]) {}

  @Get('healthz')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready(): Promise<{ status: 'ready'; checks: Record<string, boolean> }> {
    const results: Record<string, boolean> = {};
    for (const check of this.checks) results[check.name] = await check.ready();
    if (Object.values(results).some((ok) => !ok)) {
      throw new ServiceUnavailableException({ status: 'not ready', checks: results });
    }
    return { status: 'ready', checks: results };
  }
}
