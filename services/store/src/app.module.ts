import { ApiKeyRegistry, splitList } from '@pulse/config';
import { JetStreamConnection, MessagingModule, streamSpecs } from '@pulse/messaging';
import { HealthController, MetricsModule, READINESS_CHECKS, type ReadinessCheck } from '@pulse/telemetry';

import { Module, type DynamicModule } from '@nestjs/common';

import { CassandraClient } from './cassandra/cassandra.client.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { PartialsConsumer } from './partials/partials.consumer.js';
import { PartialsRepository } from './partials/partials.repository.js';
import { QueryService } from './query/query.service.js';
import { STORE_CONFIG, type StoreConfig } from './store.config.js';

@Module({})
export class AppModule {
  static forRoot(config: Readonly<StoreConfig>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MetricsModule,
        MessagingModule.forRoot({
          servers: splitList(config.PULSE_NATS_URL),
          name: 'store',
          streams: streamSpecs(config, ['agg']),
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: STORE_CONFIG, useValue: config },
        { provide: ApiKeyRegistry, useValue: ApiKeyRegistry.fromFile(config.PULSE_API_KEYS_FILE) },
        {
          provide: READINESS_CHECKS,
          inject: [JetStreamConnection, CassandraClient],
          useFactory: (nats: JetStreamConnection, cassandra: CassandraClient): ReadinessCheck[] => [
            { name: 'nats', ready: () => nats.isConnected() },
            { name: 'cassandra', ready: () => cassandra.isReady() },
          ],
        },
        CassandraClient,
        PartialsRepository,
        PartialsConsumer,
        QueryService,
      ],
    };
  }
}
