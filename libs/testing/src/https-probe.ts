import { type ClientTlsMaterial } from '@pulse/config';

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * The status code of a GET (a readiness probe): over HTTPS with the given trust anchor (and client
 * certificate, for a server that requires one) when the URL is https. Rejects when nothing answers
 * within `timeoutMs` or the TLS handshake fails.
 */
export function probeStatus(url: string, tls?: ClientTlsMaterial, timeoutMs = 1_000): Promise<number> {
  const secure = url.startsWith('https:');
  return new Promise((resolve, reject) => {
    const options = secure && tls ? { ca: tls.ca, cert: tls.cert, key: tls.key } : {};
    const req = (secure ? httpsRequest : httpRequest)(url, { ...options, timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
