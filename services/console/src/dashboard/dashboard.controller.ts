import { Controller, Get, Req, Res } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';

import { sseComment, sseJson } from '../sse/sse-frame.js';
import { sendProblem } from './console-problem.js';
import { DashboardService, type KeyCheck } from './dashboard.service.js';

const HEARTBEAT_MS = 15_000;

/** The key the page sends: `x-api-key`, or `Authorization: Bearer` like the other APIs. */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const authorization = request.headers.authorization;
  return authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
}

/**
 * The page's API. `GET /api/session` names the key's tenant (the page's "sign in"),
 * `GET /api/snapshot` answers one snapshot, `GET /api/stream` is a Server-Sent Events stream of
 * `snapshot` events (the first at once, then whenever the dashboard changed).
 */
@Controller('api')
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get('session')
  session(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const key = this.authorize(request, reply);
    if (key) void reply.header('cache-control', 'no-store').send({ tenant: key.tenant });
  }

  @Get('snapshot')
  async snapshot(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const key = this.authorize(request, reply);
    if (!key) return;
    const snapshot = await this.dashboard.snapshot(key.apiKey, key.tenant);
    void reply.header('cache-control', 'no-store').send(snapshot);
  }

  @Get('stream')
  stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const key = this.authorize(request, reply);
    if (!key) return;
    const raw = reply.raw;
    const heartbeat = setInterval(() => raw.write(sseComment('keep-alive')), HEARTBEAT_MS);
    heartbeat.unref();
    const end = () => {
      clearInterval(heartbeat);
      release?.();
      if (!raw.writableEnded) raw.end();
    };
    const release = this.dashboard.open(
      key.apiKey,
      key.tenant,
      (snapshot) => raw.write(sseJson('snapshot', snapshot, String(snapshot.generatedAt))),
      {
        close: () => {
          raw.write(sseJson('bye', { reason: 'the console is shutting down' }));
          end();
        },
      },
    );
    if (!release) {
      clearInterval(heartbeat);
      sendProblem(reply, 503, 'unavailable', 'the console serves no more live streams right now; retry later');
      return;
    }
    reply.hijack();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write(`retry: 2000\n${sseComment(`tenant ${key.tenant}`)}`);
    request.raw.on('close', end);
  }

  private authorize(request: FastifyRequest, reply: FastifyReply): { apiKey: string; tenant: string } | undefined {
    const apiKey = presentedKey(request);
    const check: KeyCheck = this.dashboard.check(apiKey);
    if (check.ok && apiKey) return { apiKey, tenant: check.tenant };
    if (!check.ok && check.reason === 'forbidden') {
      sendProblem(reply, 403, 'forbidden', 'this API key may not query');
    } else {
      void reply.header('www-authenticate', 'Bearer');
      sendProblem(reply, 401, 'unauthenticated', 'send a query API key in the x-api-key header');
    }
    return undefined;
  }
}
