import { splitList } from '@pulse/config';
import { JetStreamConnection, MessagingModule, streamSpecs } from '@pulse/messaging';
import { HealthController, MetricsModule, READINESS_CHECKS, type ReadinessCheck } from '@pulse/telemetry';

import { Module, type DynamicModule } from '@nestjs/common';

import { CLEANER_SETTINGS, type CleanerSettings } from './cleaner.config.js';
import { CleaningConsumer } from './cleaning/cleaning.consumer.js';

@Module({})
export class AppModule {
  static forRoot(settings: Readonly<CleanerSettings>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MetricsModule,
        MessagingModule.forRoot({
          servers: splitList(settings.env.PULSE_NATS_URL),
          name: 'cleaner',
          streams: streamSpecs(settings.env, ['raw', 'clean', 'dlq']),
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
        { provide: CLEANER_SETTINGS, useValue: settings },
        CleaningConsumer,
      ],
    };
  }
}
