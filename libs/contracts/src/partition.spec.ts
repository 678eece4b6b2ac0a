import fc from 'fast-check';

import { partitionOf } from './partition.js';

describe('partitionOf', () => {
  // Computed independently with Python: int.from_bytes(sha256(t + b"\0" + k)[:4], "big") % p.
  // If one of these changes, every deployed aggregator would re-shard its shoppers.
  it.each([
    ['demo', 'u-991', 16, 7],
    ['demo', 'u-992', 16, 15],
    ['acme', 's-17', 16, 0],
    ['acme', '', 16, 10],
    ['shop-1', 'user:42', 7, 0],
    ['t', 'k', 1, 0],
    ['demo', 'ünïcødé', 32, 10],
    ['big-tenant', '0123456789', 1024, 1006],
  ])('maps (%s, %s) over %i partitions to the fixed vector %i', (tenant, key, partitions, expected) => {
    expect(partitionOf(tenant, key, partitions)).toBe(expected);
  });

  it('always lands in [0, P)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 1, max: 10_000 }), (tenant, key, partitions) => {
        const p = partitionOf(tenant, key, partitions);
        return Number.isInteger(p) && p >= 0 && p < partitions;
      }),
    );
  });

  it('spreads keys roughly evenly', () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i += 1) counts[partitionOf('demo', `user-${i}`, 16)] += 1;
    for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(150);
  });

  it('rejects a non-positive partition count', () => {
    expect(() => partitionOf('demo', 'u', 0)).toThrow(/positive integer/);
  });
});
