#!/usr/bin/env node
// Bundles the console's page (web/main.ts, uPlot, styles) with esbuild into
// dist/services/console/web/ — index.html, app.js, app.css — and prints the sizes (raw and gzip).
// Everything the page needs is in those three files: no CDN, no web fonts.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const workspaceRoot = resolve(here, '../../..');
const outDir = join(workspaceRoot, 'dist/services/console/web');
mkdirSync(outDir, { recursive: true });

await build({
  entryPoints: { app: join(here, 'main.ts') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  outdir: outDir,
  legalComments: 'eof',
  logLevel: 'warning',
  sourcemap: false,
});
copyFileSync(join(here, 'index.html'), join(outDir, 'index.html'));

const sizes = {};
let rawTotal = 0;
let gzipTotal = 0;
for (const name of ['index.html', 'app.js', 'app.css']) {
  const body = readFileSync(join(outDir, name));
  const gzip = gzipSync(body, { level: 9 }).length;
  sizes[name] = { bytes: body.length, gzip };
  rawTotal += body.length;
  gzipTotal += gzip;
}
sizes.total = { bytes: rawTotal, gzip: gzipTotal };
writeFileSync(join(outDir, 'sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(
  `console web: ${Object.entries(sizes)
    .map(([name, s]) => `${name} ${kib(s.bytes)} (gzip ${kib(s.gzip)})`)
    .join(', ')}`,
);
