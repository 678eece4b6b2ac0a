import { splitList } from '@pulse/config';
import { JetStreamConnection, MessagingModule, streamSpecs } from '@pulse/messaging';
import { HealthController, MetricsModule, READINESS_CHECKS, type ReadinessCheck } from '@pulse/telemetry';

import { Module, type DynamicModule } from '@nestjs/common';

import { AGGREGATOR_CONFIG, type AggregatorConfig } from './aggregator.config.js';
import { AggregationService } from './windows/aggregation.service.js';

@Module({})
export class AppModule {
  static forRoot(config: Readonly<AggregatorConfig>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MetricsModule,
        MessagingModule.forRoot({
          servers: splitList(config.PULSE_NATS_URL),
          name: `aggregator-${config.PULSE_AGGREGATOR_REPLICA_INDEX}`,
          streams: streamSpecs(config, ['clean', 'agg', 'late']),
        }),
      ],
      controllers: [HealthController],
      providers: [
        {
          provide: READINESS_CHECKS,
          inject: [JetStreamConnection, AggregationService],
          useFactory: (nats: JetStreamConnection, aggregation: AggregationService): ReadinessCheck[] => [
            { name: 'nats', ready: () => nats.isConnected() },
            { name: 'partitions', ready: () => aggregation.isRunning() },
          ],
        },
        { provide: AGGREGATOR_CONFIG, useValue: config },
        AggregationService,
      ],
    };
  }
}
