import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the .proto files are at run time: `PULSE_PROTO_DIR`, else the repository's `proto/`
 * found by walking up from this file (the same in the source tree, in dist/ and in the image,
 * which copies proto/ next to dist/).
 */
export function protoDir(): string {
  if (process.env.PULSE_PROTO_DIR) return process.env.PULSE_PROTO_DIR;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'proto', 'buf.yaml'))) return join(dir, 'proto');
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the proto/ directory; set PULSE_PROTO_DIR');
    dir = parent;
  }
}

export const PROTO_FILES = {
  ingest: 'pulse/ingest/v1/ingest.proto',
  store: 'pulse/store/v1/metrics.proto',
  forecast: 'pulse/forecast/v1/forecast.proto',
} as const;

/** proto-loader options that match the generated ts-proto types (camelCase, string enums, number longs). */
export const LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  objects: false,
  oneofs: true,
} as const;
