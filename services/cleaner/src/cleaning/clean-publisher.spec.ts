import { MicroBatcher } from './clean-publisher.js';

const bytes = (n: number) => new Uint8Array([n]);

describe('MicroBatcher', () => {
  it('sends concurrent publishes as one batch and settles each caller with it', async () => {
    const sent: string[][] = [];
    const batcher = new MicroBatcher(
      async (messages) => {
        sent.push(messages.map((m) => m.msgId));
      },
      10,
      5,
    );
    await Promise.all([1, 2, 3].map((n) => batcher.publish('pulse.clean.0', bytes(n), `t:e-${n}`)));
    expect(sent).toEqual([['t:e-1', 't:e-2', 't:e-3']]);
  });

  it('flushes at the batch size without waiting for the linger time', async () => {
    const sent: number[] = [];
    const batcher = new MicroBatcher(
      async (messages) => {
        sent.push(messages.length);
      },
      2,
      10_000,
    );
    await Promise.all([1, 2, 3, 4].map((n) => batcher.publish('s', bytes(n), `id-${n}`)));
    expect(sent).toEqual([2, 2]);
  });

  it('rejects every caller of a failed batch (so their raw messages are redelivered) and not others', async () => {
    let calls = 0;
    const batcher = new MicroBatcher(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('batch aborted: gap');
      },
      2,
      10_000,
    );
    const first = [batcher.publish('s', bytes(1), 'a'), batcher.publish('s', bytes(2), 'b')];
    const second = [batcher.publish('s', bytes(3), 'c'), batcher.publish('s', bytes(4), 'd')];
    await expect(Promise.all(first)).rejects.toThrow('gap');
    await expect(Promise.all(second)).resolves.toEqual([undefined, undefined]);
  });
});
