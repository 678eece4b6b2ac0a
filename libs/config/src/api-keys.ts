import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { Ajv } from 'ajv';

import { ConfigError } from './config-error.js';

/**
 * The API-key file (a Kubernetes Secret in production) holds only SHA-256 hashes of keys:
 * `{"keys":[{"tenant":"demo","sha256":"<64 hex>"}]}`. A leaked file grants nothing.
 */
const ApiKeyFileSchema = Type.Object({
  keys: Type.Array(
    Type.Object({
      tenant: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' }),
      sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
      id: Type.Optional(Type.String()),
      /** What the key may do; both when absent. A dashboard gets a `query`-only key. */
      scopes: Type.Optional(Type.Array(Type.Union([Type.Literal('ingest'), Type.Literal('query')]), { minItems: 1 })),
    }),
    { minItems: 1 },
  ),
});

const validateFile = new Ajv({ allErrors: true }).compile(ApiKeyFileSchema);

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export type ApiKeyScope = 'ingest' | 'query';

export type Authentication =
  { ok: true; tenant: string } | { ok: false; reason: 'unauthenticated' | 'forbidden'; tenant?: string };

interface KeyEntry {
  tenant: string;
  digest: Buffer;
  scopes: ReadonlySet<ApiKeyScope>;
}

export class ApiKeyRegistry {
  private readonly entriesByHash = new Map<string, KeyEntry>();

  constructor(entries: ReadonlyArray<{ tenant: string; sha256: string; scopes?: ApiKeyScope[] }>) {
    for (const entry of entries) {
      this.entriesByHash.set(entry.sha256, {
        tenant: entry.tenant,
        digest: Buffer.from(entry.sha256, 'hex'),
        scopes: new Set(entry.scopes ?? ['ingest', 'query']),
      });
    }
  }

  static fromFile(path: string, variable = 'PULSE_API_KEYS_FILE'): ApiKeyRegistry {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new ConfigError([`${variable}: cannot read API key file ${path}: ${(error as Error).message}`]);
    }
    if (!validateFile(parsed)) {
      const details = (validateFile.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
      throw new ConfigError([`${variable}: ${path} is not a valid API key file: ${details}`]);
    }
    return new ApiKeyRegistry(parsed.keys);
  }

  /**
   * The tenant a presented key belongs to, or undefined. The key is hashed first, so lookup time
   * depends only on the hash, and the final comparison is constant-time.
   */
  tenantOf(presentedKey: string | undefined): string | undefined {
    return this.find(presentedKey)?.tenant;
  }

  /** The tenant of a key that may do `scope`; `forbidden` for a known key without that scope. */
  authenticate(presentedKey: string | undefined, scope: ApiKeyScope): Authentication {
    const entry = this.find(presentedKey);
    if (!entry) return { ok: false, reason: 'unauthenticated' };
    if (!entry.scopes.has(scope)) return { ok: false, reason: 'forbidden', tenant: entry.tenant };
    return { ok: true, tenant: entry.tenant };
  }

  private find(presentedKey: string | undefined): KeyEntry | undefined {
    if (!presentedKey) return undefined;
    const digest = createHash('sha256').update(presentedKey, 'utf8').digest();
    const entry = this.entriesByHash.get(digest.toString('hex'));
    if (!entry || !timingSafeEqual(entry.digest, digest)) return undefined;
    return entry;
  }
}

/** `x-api-key: <key>` or `authorization: Bearer <key>`. */
export function presentedApiKey(headers: {
  apiKey?: string | string[];
  authorization?: string | string[];
}): string | undefined {
  const direct = Array.isArray(headers.apiKey) ? headers.apiKey[0] : headers.apiKey;
  if (direct) return direct.trim();
  const auth = Array.isArray(headers.authorization) ? headers.authorization[0] : headers.authorization;
  const match = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  return match?.[1];
}
