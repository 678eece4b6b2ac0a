import { type CleanEventV1 } from '@pulse/contracts';

import { ownedPartitions, PartitionWindows } from './partition-windows.js';

const minute = 60_000;
const t0 = Date.UTC(2026, 10, 24, 10, 0, 0);
const event = (occurredAt: number, tenant = 'demo'): CleanEventV1 => ({
  v: 1,
  tenant,
  event_id: `e-${occurredAt}`,
  type: 'page_view',
  occurred_at: occurredAt,
  partition: 3,
});

describe('PartitionWindows', () => {
  it('counts events per tenant and UTC minute, with a boundary event in the next window', () => {
    const windows = new PartitionWindows(3);
    windows.fold(event(t0), 1);
    windows.fold(event(t0 + minute - 1), 2);
    windows.fold(event(t0 + minute), 3);
    windows.fold(event(t0, 'acme'), 4);
    const partials = windows.takeChanged();
    const byKey = Object.fromEntries(partials.map((p) => [`${p.tenant}@${p.window_start}`, p]));
    expect(byKey[`demo@${t0}`]).toMatchObject({
      metrics: { events: 2 },
      version: 2,
      partition: 3,
      granularity: '1m',
      dimension: 'all',
    });
    expect(byKey[`demo@${t0 + minute}`]).toMatchObject({ metrics: { events: 1 }, version: 3 });
    expect(byKey[`acme@${t0}`]).toMatchObject({ metrics: { events: 1 }, version: 4 });
  });

  it('emits the full state (not a delta) with a larger version after more events', () => {
    const windows = new PartitionWindows(0);
    windows.fold(event(t0), 10);
    const [first] = windows.takeChanged();
    expect(windows.takeChanged()).toEqual([]);
    windows.fold(event(t0 + 5), 11);
    const [second] = windows.takeChanged();
    expect(second.metrics.events).toBe(2);
    expect(second.version).toBeGreaterThan(first.version);
  });

  it('re-emits rows whose emission failed', () => {
    const windows = new PartitionWindows(0);
    windows.fold(event(t0), 1);
    const partials = windows.takeChanged();
    windows.markChanged(partials);
    expect(windows.takeChanged()).toEqual(partials);
  });
});

describe('ownedPartitions', () => {
  it('splits partitions p mod R = i, covering each exactly once', () => {
    const all = [0, 1, 2].flatMap((i) => ownedPartitions(16, 3, i)).sort((a, b) => a - b);
    expect(all).toEqual([...Array(16).keys()]);
    expect(ownedPartitions(16, 3, 1)).toEqual([1, 4, 7, 10, 13]);
  });

  it('refuses a replica index outside the replica count', () => {
    expect(() => ownedPartitions(16, 2, 2)).toThrow(/outside/);
  });
});
