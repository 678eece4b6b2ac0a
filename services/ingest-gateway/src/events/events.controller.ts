import { ApiKeyRegistry, presentedApiKey } from '@pulse/config';

import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { type FastifyRequest } from 'fastify';

import { problems } from '../problems/problem.js';
import { EventsService, type IngestResult } from './events.service.js';
import { candidatesFromJson, candidatesFromNdjson } from './request-body.js';

@Controller('v1/events')
export class EventsController {
  constructor(
    private readonly events: EventsService,
    private readonly apiKeys: ApiKeyRegistry,
  ) {}

  @Post()
  @HttpCode(202)
  async ingest(
    @Req() request: FastifyRequest,
    @Headers('x-api-key') apiKey?: string,
    @Headers('authorization') authorization?: string,
  ): Promise<IngestResult> {
    const tenant = this.apiKeys.tenantOf(presentedApiKey({ apiKey, authorization }));
    if (!tenant) throw problems.unauthenticated();
    const contentType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const candidates =
      contentType === 'application/x-ndjson'
        ? candidatesFromNdjson(request.body as string)
        : candidatesFromJson(request.body);
    return this.events.ingest(tenant, candidates);
  }
}
