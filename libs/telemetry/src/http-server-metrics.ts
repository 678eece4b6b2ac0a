import { type Attributes, type Histogram } from '@opentelemetry/api';
import { type FastifyInstance } from 'fastify';

import { isUntracedPath } from './sdk-settings.js';
import { serviceMeter } from './service-meter.js';

/** Milliseconds to seconds: an ingest batch takes a few ms, a query up to the 10 s budget. */
const HTTP_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE']);

/**
 * Attributes of one request by the HTTP semantic conventions: the method (`_OTHER` when not a
 * standard one), the route template Fastify matched (`/v1/events`; none when no route matched —
 * never the raw path, which would make one series per URL) and the status code.
 */
export function httpServerAttributes(method: string, route: string | undefined, statusCode: number): Attributes {
  const attributes: Attributes = {
    'http.request.method': KNOWN_METHODS.has(method) ? method : '_OTHER',
    'http.response.status_code': statusCode,
  };
  if (route) attributes['http.route'] = route;
  return attributes;
}

let duration: Histogram | undefined;

/**
 * Records `http.server.request.duration` (s) for every request of the app but the probes and the
 * scrape, from Fastify's onResponse hook: Fastify's own elapsed time, from the request's arrival
 * to the last byte handed to the socket. Added before the server is ready: a root hook then
 * covers every route, Nest's included.
 */
export function installHttpServerMetrics(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    if (!isUntracedPath(request.url)) {
      duration ??= serviceMeter().createHistogram('http.server.request.duration', {
        description: 'Duration of HTTP server requests.',
        unit: 's',
        advice: { explicitBucketBoundaries: HTTP_BUCKETS_S },
      });
      duration.record(
        reply.elapsedTime / 1_000,
        httpServerAttributes(request.method, request.routeOptions.url, reply.statusCode),
      );
    }
    done();
  });
}
