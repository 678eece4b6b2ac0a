import { SKETCH_METRICS, SUM_METRICS } from '@pulse/contracts';

import { createHash } from 'node:crypto';

import { MIGRATIONS } from './migrations.js';

/** The columns of each table after every migration, read from the CQL text (a small parser). */
function schemaAfterMigrations(): Map<string, Map<string, string>> {
  const tables = new Map<string, Map<string, string>>();
  const columnsOf = (body: string) =>
    body
      .split(',')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name, type]) => name && type && name !== 'PRIMARY')
      .map(([name, type]) => [name!, type!] as const);
  for (const migration of MIGRATIONS) {
    for (const statement of migration.statements) {
      const create = /^CREATE TABLE IF NOT EXISTS (\w+) \(([\s\S]*?)PRIMARY KEY/.exec(statement.trim());
      if (create) tables.set(create[1]!, new Map(columnsOf(create[2]!)));
      const add = /^ALTER TABLE (\w+) ADD IF NOT EXISTS \(([\s\S]*)\)$/.exec(statement.trim());
      if (add) for (const [name, type] of columnsOf(add[2]!)) tables.get(add[1]!)?.set(name, type);
    }
  }
  return tables;
}

describe('store migrations', () => {
  it('have unique ascending versions', () => {
    const versions = MIGRATIONS.map((migration) => migration.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    expect(versions[0]).toBe(1);
  });

  it('leave a released migration untouched (migration 1 as released)', () => {
    const digest = createHash('sha256').update(JSON.stringify(MIGRATIONS[0])).digest('hex');
    expect(digest).toBe('4a7a11e7b9d03db6be5086e808336cf853c37f9d6b39a78b815772b0fbc4b825');
  });

  it('give both partial tables a column for every metric and sketch of the contract, and closed', () => {
    const tables = schemaAfterMigrations();
    for (const table of ['series_partials', 'dimension_partials']) {
      const columns = tables.get(table);
      expect(columns).toBeDefined();
      for (const metric of SUM_METRICS)
        expect([table, metric, columns!.get(metric)]).toEqual([table, metric, 'bigint']);
      for (const metric of SKETCH_METRICS)
        expect([table, metric, columns!.get(metric)]).toEqual([table, metric, 'blob']);
      expect(columns!.get('closed')).toBe('boolean');
    }
  });

  it('use only statements that are safe to run again after a half-applied migration', () => {
    for (const statement of MIGRATIONS.flatMap((migration) => migration.statements)) {
      expect(statement.trim()).toMatch(
        /^(CREATE TABLE IF NOT EXISTS|ALTER TABLE \w+ ADD IF NOT EXISTS|ALTER TABLE \w+ WITH)/,
      );
    }
  });

  it('leave no partial table on TimeWindowCompactionStrategy (write timestamps are versions, not time)', () => {
    const compaction = new Map<string, string>();
    for (const statement of MIGRATIONS.flatMap((migration) => migration.statements)) {
      const table = /^(?:CREATE TABLE IF NOT EXISTS|ALTER TABLE) (\w+)/.exec(statement.trim())?.[1];
      const strategy = /compaction = \{'class': '(\w+)'/.exec(statement)?.[1];
      if (table && strategy) compaction.set(table, strategy);
    }
    expect(Object.fromEntries(compaction)).toEqual({
      series_partials: 'UnifiedCompactionStrategy',
      dimension_partials: 'UnifiedCompactionStrategy',
    });
  });
});
