import { ApiKeyRegistry, splitList } from '@pulse/config';
import { JetStreamConnection, MessagingModule } from '@pulse/messaging';
import { HealthController, MetricsModule, READINESS_CHECKS, type ReadinessCheck } from '@pulse/telemetry';

import { Module, type DynamicModule } from '@nestjs/common';

import { CONSOLE_CONFIG, type ConsoleConfig } from './console.config.js';
import { DashboardController } from './dashboard/dashboard.controller.js';
import { DashboardService } from './dashboard/dashboard.service.js';
import { PipelineHealthService } from './pipeline/pipeline-health.service.js';
import { defaultWebDir, loadWebAssets } from './web/web-assets.js';
import { WEB_ASSETS, WebController } from './web/web.controller.js';

@Module({})
export class AppModule {
  static forRoot(config: Readonly<ConsoleConfig>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MetricsModule,
        // Read-only use of JetStream (stream and consumer info): the console provisions no stream.
        MessagingModule.forRoot({ servers: splitList(config.PULSE_NATS_URL), name: 'console', streams: [] }),
      ],
      controllers: [HealthController, DashboardController, WebController],
      providers: [
        { provide: CONSOLE_CONFIG, useValue: config },
        { provide: ApiKeyRegistry, useValue: ApiKeyRegistry.fromFile(config.PULSE_API_KEYS_FILE) },
        { provide: WEB_ASSETS, useValue: loadWebAssets(config.PULSE_CONSOLE_WEB_DIR || defaultWebDir()) },
        {
          provide: READINESS_CHECKS,
          inject: [JetStreamConnection],
          useFactory: (nats: JetStreamConnection): ReadinessCheck[] => [
            { name: 'nats', ready: () => nats.isConnected() },
          ],
        },
        PipelineHealthService,
        DashboardService,
      ],
    };
  }
}
