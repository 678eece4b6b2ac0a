import { HealthController, READINESS_CHECKS } from '@pulse/telemetry';

import { Module } from '@nestjs/common';

import { ForecastController } from './forecasting/forecast.controller.js';

@Module({
  controllers: [HealthController, ForecastController],
  providers: [{ provide: READINESS_CHECKS, useValue: [] }],
})
export class AppModule {}
