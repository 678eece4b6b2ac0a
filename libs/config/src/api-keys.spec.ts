import { ApiKeyRegistry, hashApiKey, presentedApiKey } from './api-keys.js';

describe('ApiKeyRegistry', () => {
  const registry = new ApiKeyRegistry([
    { tenant: 'demo', sha256: hashApiKey('demo-key') },
    { tenant: 'acme', sha256: hashApiKey('acme-key') },
  ]);

  it('maps a key to its tenant by hash', () => {
    expect(registry.tenantOf('demo-key')).toBe('demo');
    expect(registry.tenantOf('acme-key')).toBe('acme');
  });

  it('knows no tenant for an unknown, empty or hash-as-key value', () => {
    expect(registry.tenantOf('nope')).toBeUndefined();
    expect(registry.tenantOf('')).toBeUndefined();
    expect(registry.tenantOf(undefined)).toBeUndefined();
    expect(registry.tenantOf(hashApiKey('demo-key'))).toBeUndefined();
  });

  it('forbids a known key outside its scopes and allows both scopes by default', () => {
    const scoped = new ApiKeyRegistry([
      { tenant: 'demo', sha256: hashApiKey('dashboard-key'), scopes: ['query'] },
      { tenant: 'demo', sha256: hashApiKey('full-key') },
    ]);
    expect(scoped.authenticate('dashboard-key', 'query')).toEqual({ ok: true, tenant: 'demo' });
    expect(scoped.authenticate('dashboard-key', 'ingest')).toEqual({ ok: false, reason: 'forbidden', tenant: 'demo' });
    expect(scoped.authenticate('full-key', 'ingest')).toEqual({ ok: true, tenant: 'demo' });
    expect(scoped.authenticate('nope', 'ingest')).toEqual({ ok: false, reason: 'unauthenticated' });
  });

  it('reads x-api-key first, then a Bearer token', () => {
    expect(presentedApiKey({ apiKey: 'k1', authorization: 'Bearer k2' })).toBe('k1');
    expect(presentedApiKey({ authorization: 'Bearer k2' })).toBe('k2');
    expect(presentedApiKey({ authorization: 'Basic abc' })).toBeUndefined();
    expect(presentedApiKey({})).toBeUndefined();
  });
});
