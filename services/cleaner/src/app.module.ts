import { splitList } from '@pulse/config';
import { JetStreamConnection, MessagingModule, streamSpecs } from '@pulse/messaging';
import { HealthController, READINESS_CHECKS, type ReadinessCheck } from '@pulse/telemetry';

import { Module, type DynamicModule } from '@nestjs/common';

import { CLEANER_CONFIG, type CleanerConfig } from './cleaner.config.js';
import { CleaningConsumer } from './cleaning/cleaning.consumer.js';

@Module({})
export class AppModule {
  static forRoot(config: Readonly<CleanerConfig>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MessagingModule.forRoot({
          servers: splitList(config.PULSE_NATS_URL),
          name: 'cleaner',
          streams: streamSpecs(config, ['raw', 'clean', 'dlq']),
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
        { provide: CLEANER_CONFIG, useValue: config },
        CleaningConsumer,
      ],
    };
  }
}
