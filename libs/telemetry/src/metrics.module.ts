import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type FastifyInstance } from 'fastify';

import { installHttpServerMetrics } from './http-server-metrics.js';
import { MetricsController } from './metrics.controller.js';

/** Puts the HTTP RED hook on the app's Fastify instance, once, while it is not yet ready. */
@Injectable()
export class HttpServerMetrics implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify && typeof fastify.addHook === 'function') installHttpServerMetrics(fastify);
  }
}

/** Every service imports it: `GET /metrics` and `http.server.request.duration`. */
@Module({ controllers: [MetricsController], providers: [HttpServerMetrics] })
export class MetricsModule {}
