import { ApiKeyRegistry, splitList } from '@pulse/config';
import { JetStreamConnection, MessagingModule, streamSpecs } from '@pulse/messaging';
import { HealthController, MetricsModule, READINESS_CHECKS, type ReadinessCheck } from '@pulse/telemetry';

import { Module, type DynamicModule } from '@nestjs/common';

import { AlertStream } from './alerts/alert-stream.js';
import { CLOCK, systemClock, type Clock } from './clock.js';
import { FORECAST_CONFIG, type ForecastConfig } from './forecast.config.js';
import { ForecastService } from './forecasting/forecast.service.js';
import { ForecastController } from './grpc/forecast.controller.js';
import { StoreHistory } from './history/store-history.js';
import { AnomalyWatchService, WATCH_TENANTS } from './watch/anomaly-watch.service.js';
import { loadWatchTenants } from './watch/watch-keys.js';

@Module({})
export class AppModule {
  /**
   * Key files are read here, before Nest starts, so a bad one stops the service with a message
   * naming its variable. `clock` is for tests that drive the service through simulated time.
   */
  static forRoot(config: Readonly<ForecastConfig>, options: { clock?: Clock } = {}): DynamicModule {
    const apiKeys = ApiKeyRegistry.fromFile(config.PULSE_API_KEYS_FILE);
    const watchTenants = config.PULSE_FORECAST_WATCH_KEYS_FILE
      ? loadWatchTenants(config.PULSE_FORECAST_WATCH_KEYS_FILE, apiKeys)
      : [];
    return {
      module: AppModule,
      imports: [
        MetricsModule,
        MessagingModule.forRoot({
          servers: splitList(config.PULSE_NATS_URL),
          name: 'forecast',
          streams: streamSpecs(config, ['alerts']),
        }),
      ],
      controllers: [HealthController, ForecastController],
      providers: [
        { provide: FORECAST_CONFIG, useValue: config },
        { provide: ApiKeyRegistry, useValue: apiKeys },
        { provide: WATCH_TENANTS, useValue: watchTenants },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        {
          provide: READINESS_CHECKS,
          inject: [JetStreamConnection],
          useFactory: (nats: JetStreamConnection): ReadinessCheck[] => [
            { name: 'nats', ready: () => nats.isConnected() },
          ],
        },
        StoreHistory,
        ForecastService,
        AlertStream,
        AnomalyWatchService,
      ],
    };
  }
}
