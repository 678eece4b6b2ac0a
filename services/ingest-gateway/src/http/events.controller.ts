import { ApiKeyRegistry, presentedApiKey } from '@pulse/config';

import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { type FastifyRequest } from 'fastify';

import { EventsService, type IngestResult } from '../events/events.service.js';
import { IngestError } from '../events/ingest-error.js';
import { candidatesFromJson, candidatesFromNdjson } from '../events/request-body.js';

/** HTTP adapter of the ingest use case: authenticate, read the body shape, delegate. */
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
    const auth = this.apiKeys.authenticate(presentedApiKey({ apiKey, authorization }), 'ingest');
    if (!auth.ok) {
      throw auth.reason === 'forbidden'
        ? new IngestError('forbidden', 'this API key may only query; use a key with the ingest scope')
        : new IngestError('unauthenticated', 'send x-api-key or Authorization: Bearer with a valid key');
    }
    const contentType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    let candidates;
    if (contentType === 'application/x-ndjson') candidates = candidatesFromNdjson(request.body as Buffer);
    else if (contentType === 'application/json') candidates = candidatesFromJson(request.body);
    else {
      throw new IngestError(
        'unsupported_media_type',
        `content-type ${contentType || '(none)'}; send application/json or application/x-ndjson, optionally gzip-encoded`,
      );
    }
    return this.events.ingest(auth.tenant, candidates);
  }
}
