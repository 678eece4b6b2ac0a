#!/usr/bin/env node
// Compiles one Nx project's TypeScript to ESM JavaScript under dist/<projectRoot>/ with swc.
// Why not tsc or esbuild: Nest's dependency injection needs decorator metadata (esbuild cannot
// emit it) and tsc does not rewrite the @pulse/* path aliases; swc does both and compiles the
// whole repo in about a second. Type checking is the separate `typecheck` target (tsc --noEmit).
// The output mirrors the source tree, so an alias becomes a relative import of dist/libs/...
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import swc from '@swc/core';

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const projectRoot = process.argv[2];
if (!projectRoot) {
  console.error('usage: swc-build.mjs <projectRoot>');
  process.exit(2);
}

const base = JSON.parse(readFileSync(join(workspaceRoot, 'tsconfig.base.json'), 'utf8'));
const paths = base.compilerOptions.paths;

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) yield* sources(full);
    else if ((name.endsWith('.ts') && !/\.(spec|fixture|d)\.ts$/.test(name)) || name.endsWith('.mjs')) yield full;
  }
}

const srcDir = join(workspaceRoot, projectRoot, 'src');
const outRoot = join(workspaceRoot, 'dist');
rmSync(join(outRoot, projectRoot), { recursive: true, force: true });
let count = 0;
for (const file of sources(srcDir)) {
  const rel = relative(workspaceRoot, file);
  if (file.endsWith('.mjs')) {
    // Plain ESM shipped as is (e.g. code Jest's global setup and the libs share).
    const out = join(outRoot, rel);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, readFileSync(file));
    count += 1;
    continue;
  }
  const out = join(outRoot, rel.replace(/\.ts$/, '.js'));
  const { code, map } = await swc.transformFile(file, {
    swcrc: false,
    sourceMaps: true,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
      baseUrl: workspaceRoot,
      paths,
    },
    module: { type: 'es6', resolveFully: true },
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${code}\n//# sourceMappingURL=${out.split('/').pop()}.map\n`);
  if (map) writeFileSync(`${out}.map`, map);
  count += 1;
}
console.log(`swc-build: ${projectRoot} → dist/${projectRoot} (${count} files)`);
