import { SKETCH_METRICS, SUM_METRICS } from '@pulse/contracts';
import { DistinctSketch } from '@pulse/sketches';

import cassandra from 'cassandra-driver';

import { partialState, partialValues, VALUE_COLUMNS } from './partial-row.js';
import { windowPartial } from './window-partial.fixture.js';

describe('partial rows', () => {
  it('binds a value for every column: closed, each sum, each sketch as bytes', () => {
    const partial = windowPartial({
      closed: true,
      metrics: { revenue: 999 },
      sketches: { unique_users: ['u1', 'u2'] },
    });
    const values = partialValues(partial);
    expect(VALUE_COLUMNS).toEqual(['closed', ...SUM_METRICS, ...SKETCH_METRICS]);
    expect(values).toHaveLength(VALUE_COLUMNS.length);
    expect(values.every((value) => value !== null && value !== undefined)).toBe(true);
    expect(values[VALUE_COLUMNS.indexOf('closed')]).toBe(true);
    expect(values[VALUE_COLUMNS.indexOf('revenue')]).toBe(999);
    const users = values[VALUE_COLUMNS.indexOf('unique_users')] as Buffer;
    expect(DistinctSketch.decode(users).count()).toBe(2);
  });

  it('refuses to bind a partial missing a metric (an unset column would keep an older value)', () => {
    const partial = windowPartial();
    delete partial.metrics.units;
    expect(() => partialValues(partial)).toThrow('partial misses metrics.units');
  });

  it('reads a row back: Long sums as numbers, null columns as absent, only the selected columns', () => {
    const columns: Record<string, unknown> = {
      closed: null,
      events: cassandra.types.Long.fromNumber(2 ** 40),
      revenue: null,
      unique_users: Buffer.from(new DistinctSketch().encode()),
      unique_sessions: null,
    };
    const row = { get: (column: string) => columns[column] };
    expect(partialState(row, ['events', 'revenue'], ['unique_users', 'unique_sessions'])).toEqual({
      closed: false,
      metrics: { events: 2 ** 40 },
      sketches: { unique_users: columns.unique_users },
    });
    expect(partialState(row, [], []).metrics).toEqual({});
  });
});
