import { ApiKeyRegistry, splitList } from '@pulse/config';
import { JetStreamConnection, MessagingModule, streamSpecs } from '@pulse/messaging';
import { HealthController, MetricsModule, READINESS_CHECKS, type ReadinessCheck } from '@pulse/telemetry';

import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';

import { EventsService } from './events/events.service.js';
import { RawPublisher } from './events/raw-publisher.js';
import { TenantRateLimiter } from './events/tenant-rate-limiter.js';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway.config.js';
import { IngestGrpcController } from './grpc/ingest.grpc-controller.js';
import { EventsController } from './http/events.controller.js';
import { ProblemFilter } from './problems/problem.filter.js';

@Module({})
export class AppModule {
  static forRoot(config: Readonly<GatewayConfig>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MetricsModule,
        MessagingModule.forRoot({
          servers: splitList(config.PULSE_NATS_URL),
          name: 'ingest-gateway',
          streams: streamSpecs(config, ['raw']),
        }),
      ],
      controllers: [EventsController, HealthController, IngestGrpcController],
      providers: [
        {
          provide: READINESS_CHECKS,
          inject: [JetStreamConnection],
          useFactory: (nats: JetStreamConnection): ReadinessCheck[] => [
            { name: 'nats', ready: () => nats.isConnected() },
          ],
        },
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: ApiKeyRegistry, useValue: ApiKeyRegistry.fromFile(config.PULSE_API_KEYS_FILE) },
        { provide: APP_FILTER, useClass: ProblemFilter },
        EventsService,
        RawPublisher,
        TenantRateLimiter,
      ],
    };
  }
}
