import type cassandra from 'cassandra-driver';

import { type Migration } from './migrations.js';

export interface KeyspaceSettings {
  keyspace: string;
  localDc: string;
  replicationFactor: number;
}

/** Run in a session without a keyspace, before the keyspace-bound session opens. */
export function createKeyspaceStatement({ keyspace, localDc, replicationFactor }: KeyspaceSettings): string {
  return `CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = {'class': 'NetworkTopologyStrategy', '${localDc}': ${replicationFactor}}`;
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in version order, in a session
 * bound to the store's keyspace (statements name tables without a keyspace). A migration is
 * recorded only after all its statements succeeded; its statements are written to be re-runnable,
 * so a migration that failed half-way is simply applied again on the next start. Returns the
 * versions applied by this call.
 */
export async function applyMigrations(
  session: cassandra.Client,
  migrations: readonly Migration[],
  log: (message: string) => void = () => undefined,
): Promise<number[]> {
  if (!session.keyspace) throw new Error('migrations need a session bound to the keyspace');
  await session.execute(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, description text, applied_at timestamp)',
  );
  const applied = new Set(
    (await session.execute('SELECT version FROM schema_migrations')).rows.map((row) => row.get('version') as number),
  );
  const appliedNow: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    for (const statement of migration.statements) await session.execute(statement);
    await session.execute(
      'INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)',
      [migration.version, migration.description, new Date()],
      { prepare: true },
    );
    appliedNow.push(migration.version);
    log(`applied migration ${migration.version}: ${migration.description}`);
  }
  return appliedNow;
}
