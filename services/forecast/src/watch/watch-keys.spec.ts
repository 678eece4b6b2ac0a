import { ApiKeyRegistry, ConfigError, hashApiKey } from '@pulse/config';

import { parseWatchKeys } from './watch-keys.js';

const registry = new ApiKeyRegistry([
  { tenant: 'shop-a', sha256: hashApiKey('key-a') },
  { tenant: 'shop-b', sha256: hashApiKey('key-b'), scopes: ['query'] },
  { tenant: 'shop-c', sha256: hashApiKey('key-c-ingest'), scopes: ['ingest'] },
]);

function problems(body: unknown): string[] {
  try {
    parseWatchKeys(body, registry, 'watch.json');
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('watch key file', () => {
  it('lists each tenant with the query key the watcher reads it with', () => {
    const body = {
      keys: [
        { tenant: 'shop-a', key: 'key-a' },
        { tenant: 'shop-b', key: 'key-b' },
      ],
    };
    expect(parseWatchKeys(body, registry, 'watch.json')).toEqual([
      { tenant: 'shop-a', apiKey: 'key-a' },
      { tenant: 'shop-b', apiKey: 'key-b' },
    ]);
  });

  it('refuses an unknown key, a key of another tenant and an ingest-only key, naming the variable but never the key', () => {
    const found = problems({
      keys: [
        { tenant: 'shop-a', key: 'no-such-key' },
        { tenant: 'shop-a', key: 'key-b' },
        { tenant: 'shop-c', key: 'key-c-ingest' },
      ],
    });
    expect(found).toHaveLength(3);
    for (const problem of found) {
      expect(problem).toMatch(/^PULSE_FORECAST_WATCH_KEYS_FILE: keys\[\d\] is not a query key of tenant/);
      expect(problem).not.toMatch(/no-such-key|key-b|key-c-ingest/);
    }
  });

  it('refuses a tenant listed twice', () => {
    expect(
      problems({
        keys: [
          { tenant: 'shop-a', key: 'key-a' },
          { tenant: 'shop-a', key: 'key-a' },
        ],
      }),
    ).toEqual(['PULSE_FORECAST_WATCH_KEYS_FILE: tenant "shop-a" is listed twice']);
  });

  it('refuses a file of another shape', () => {
    expect(problems({ keys: {} })[0]).toMatch(
      /^PULSE_FORECAST_WATCH_KEYS_FILE: watch.json is not a valid watch key file/,
    );
  });
});
