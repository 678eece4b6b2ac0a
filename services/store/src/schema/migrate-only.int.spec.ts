import { workspaceRoot } from '@pulse/testing';

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';

// The built store in migrate-only mode (what the Helm hook Job runs) against the real Cassandra.
describe('store PULSE_STORE_MIGRATE_ONLY=true', () => {
  const keyspace = `pulse_mig_${Date.now().toString(36)}`;
  const contactPoints = process.env.PULSE_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:19042';
  const client = new cassandra.Client({ contactPoints: [contactPoints], localDataCenter: 'datacenter1' });

  afterAll(async () => {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await client.shutdown();
  });

  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [join(workspaceRoot, 'dist/services/store/src/main.js')], {
      cwd: workspaceRoot,
      env: { ...process.env, NO_COLOR: '1', PULSE_STORE_MIGRATE_ONLY: 'true', ...env },
      encoding: 'utf8',
      timeout: 120_000,
    });

  it('creates the keyspace, applies the migrations and exits 0 — twice in a row', async () => {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const result = run({ PULSE_CASSANDRA_CONTACT_POINTS: contactPoints, PULSE_CASSANDRA_KEYSPACE: keyspace });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    }
    const applied = await client.execute(`SELECT version FROM ${keyspace}.schema_migrations`);
    expect(applied.rows.map((row) => row.get('version') as number).sort()).toEqual([1, 2]);
    const tables = await client.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?', [
      keyspace,
    ]);
    expect(tables.rows.map((row) => row.get('table_name')).sort()).toEqual([
      'dimension_partials',
      'schema_migrations',
      'series_partials',
    ]);
  }, 240_000);

  it('refuses a bad keyspace name with exit 78 naming the variable', () => {
    const result = run({ PULSE_CASSANDRA_KEYSPACE: 'Bad-Name' });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('PULSE_CASSANDRA_KEYSPACE');
  });
});
