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

  it('reads x-api-key first, then a Bearer token', () => {
    expect(presentedApiKey({ apiKey: 'k1', authorization: 'Bearer k2' })).toBe('k1');
    expect(presentedApiKey({ authorization: 'Bearer k2' })).toBe('k2');
    expect(presentedApiKey({ authorization: 'Basic abc' })).toBeUndefined();
    expect(presentedApiKey({})).toBeUndefined();
  });
});
