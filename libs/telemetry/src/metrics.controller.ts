import { Controller, Get, Header } from '@nestjs/common';

import { PROMETHEUS_CONTENT_TYPE, prometheusText } from './prometheus-metrics.js';

/** `GET /metrics`: the process's metrics in the Prometheus text format, for a scrape. */
@Controller()
export class MetricsController {
  @Get('metrics')
  @Header('content-type', PROMETHEUS_CONTENT_TYPE)
  @Header('cache-control', 'no-store')
  scrape(): Promise<string> {
    return prometheusText();
  }
}
