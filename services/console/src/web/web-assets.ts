import { ConfigError } from '@pulse/config';

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface WebAsset {
  contentType: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

/** The page's files, as web/build.mjs writes them next to the compiled service. */
export const WEB_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

export function defaultWebDir(): string {
  // dist/services/console/src/web/web-assets.js → dist/services/console/web
  return fileURLToPath(new URL('../../web/', import.meta.url));
}

/** Loads and gzips every file once at start-up; a missing build stops the service with a clear message. */
export function loadWebAssets(dir: string): Map<string, WebAsset> {
  const assets = new Map<string, WebAsset>();
  for (const [name, contentType] of Object.entries(WEB_FILES)) {
    let body: Buffer;
    try {
      body = readFileSync(join(dir, name));
    } catch (error) {
      throw new ConfigError([
        `PULSE_CONSOLE_WEB_DIR: cannot read ${join(dir, name)} (${(error as Error).message}); build the console first (nx run console:build)`,
      ]);
    }
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(name, { contentType, body, gzip: gzipSync(body, { level: 9 }), etag });
  }
  return assets;
}
