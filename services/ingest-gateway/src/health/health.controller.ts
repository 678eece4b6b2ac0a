import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { JetStreamConnection } from '@pulse/messaging';

@Controller()
export class HealthController {
  constructor(private readonly nats: JetStreamConnection) {}

  /** Liveness: the process answers. */
  @Get('healthz')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: connected to NATS with the streams provisioned (done before the app listens). */
  @Get('readyz')
  ready(): { status: 'ready' } {
    if (!this.nats.isConnected()) throw new ServiceUnavailableException('not connected to NATS');
    return { status: 'ready' };
  }
}
