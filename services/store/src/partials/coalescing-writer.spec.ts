import { type WindowPartialV1 } from '@pulse/contracts';

import { CoalescingWriter } from './coalescing-writer.js';

const partial = (version: number, dimension = 'all', closed = false): WindowPartialV1 => ({
  v: 1,
  tenant: 'demo',
  granularity: '1m',
  window_start: 0,
  dimension,
  partition: 0,
  version,
  closed,
  metrics: {},
  sketches: {},
});

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('CoalescingWriter', () => {
  it('writes every partial when the writes keep up', async () => {
    const written: number[] = [];
    const writer = new CoalescingWriter(async (p) => void written.push(p.version), 4);
    await Promise.all([writer.submit(partial(1)), writer.submit(partial(2, 'product:A'))]);
    expect(written.sort()).toEqual([1, 2]);
    expect(writer.superseded).toBe(0);
  });

  it('while writes are queued, writes only the newest version of a row and settles the older ones with it', async () => {
    const written: number[] = [];
    const first = gate();
    const writer = new CoalescingWriter(async (p) => {
      if (p.version === 1) await first.opened;
      written.push(p.version);
    }, 1);
    const settled: number[] = [];
    const submissions = [1, 2, 3, 4].map((v) => writer.submit(partial(v)).then(() => settled.push(v)));
    // The out-of-order older one arriving later must not replace the newest.
    submissions.push(writer.submit(partial(3)).then(() => settled.push(30)));
    first.open();
    await Promise.all(submissions);
    expect(written).toEqual([1, 4]);
    expect(settled.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 30]);
    expect(writer.superseded).toBe(3);
  });

  it('prefers the closing emission of a row at an equal version', async () => {
    const written: WindowPartialV1[] = [];
    const first = gate();
    const writer = new CoalescingWriter(async (p) => {
      if (p.version === 1) await first.opened;
      written.push(p);
    }, 1);
    const all = [writer.submit(partial(1, 'x')), writer.submit(partial(5)), writer.submit(partial(5, 'all', true))];
    first.open();
    await Promise.all(all);
    expect(written.map((p) => [p.version, p.closed])).toEqual([
      [1, false],
      [5, true],
    ]);
  });

  it('rejects every partial of a row whose write failed, so each message is retried', async () => {
    const first = gate();
    const writer = new CoalescingWriter(async (p) => {
      if (p.dimension === 'x') await first.opened;
      if (p.version === 3) throw new Error('Cassandra unavailable');
    }, 1);
    const blocker = writer.submit(partial(1, 'x'));
    const results = Promise.allSettled([writer.submit(partial(2)), writer.submit(partial(3))]);
    first.open();
    await blocker;
    expect((await results).map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('never runs more writes at once than its concurrency', async () => {
    let running = 0;
    let peak = 0;
    const writer = new CoalescingWriter(async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running -= 1;
    }, 3);
    await Promise.all(Array.from({ length: 20 }, (_, i) => writer.submit(partial(1, `product:${i}`))));
    expect(peak).toBe(3);
  });
});
