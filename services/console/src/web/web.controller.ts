import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';

import { sendProblem } from '../dashboard/console-problem.js';
import { type WebAsset } from './web-assets.js';

export const WEB_ASSETS = Symbol('WEB_ASSETS');

/**
 * Everything the page loads comes from here: no CDN, no web fonts, nothing external, and the
 * Content-Security-Policy says so to the browser as well.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

@Controller()
export class WebController {
  constructor(@Inject(WEB_ASSETS) private readonly assets: Map<string, WebAsset>) {}

  @Get()
  index(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    this.send('index.html', request, reply);
  }

  @Get(':file')
  file(@Param('file') file: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    if (file === 'index.html' || !this.assets.has(file)) {
      sendProblem(reply, 404, 'not-found', 'no such page');
      return;
    }
    this.send(file, request, reply);
  }

  private send(name: string, request: FastifyRequest, reply: FastifyReply): void {
    const asset = this.assets.get(name) as WebAsset;
    void reply.headers(SECURITY_HEADERS).header('etag', asset.etag).header('vary', 'accept-encoding');
    // The page is revalidated every time (cheap: 304); the bundle is named the same across builds.
    void reply.header('cache-control', 'no-cache');
    if (request.headers['if-none-match'] === asset.etag) {
      void reply.status(304).send();
      return;
    }
    void reply.header('content-type', asset.contentType);
    if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
      void reply.header('content-encoding', 'gzip').send(asset.gzip);
    } else {
      void reply.send(asset.body);
    }
  }
}
