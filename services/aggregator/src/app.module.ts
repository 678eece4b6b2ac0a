import { splitList } from '@pulse/config';
import { JetStreamConnection, MessagingModule, streamSpecs } from '@pulse/messaging';
import { HealthController, READINESS_CHECKS, type ReadinessCheck } from '@pulse/telemetry';

import { Module, type DynamicModule } from '@nestjs/common';

import { AGGREGATOR_CONFIG, type AggregatorConfig } from './aggregator.config.js';
import { AggregationConsumer } from './windows/aggregation.consumer.js';

@Module({})
export class AppModule {
  static forRoot(config: Readonly<AggregatorConfig>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MessagingModule.forRoot({
          servers: splitList(config.PULSE_NATS_URL),
          name: `aggregator-${config.PULSE_AGGREGATOR_REPLICA_INDEX}`,
          streams: streamSpecs(config, ['clean', 'agg']),
        }),
      ],
      controllers: [HealthController],
      providers: [
        {
          provide: READINESS_CHECKS,
          inject: [JetStreamConnection],
          useFactory: (nats: JetStreamConnection): ReadinessCheck[] => [
            { name: 'nats', ready: () => nats.isConnected() },
          ],
        },
        { provide: AGGREGATOR_CONFIG, useValue: config },
        AggregationConsumer,
      ],
    };
  }
}
