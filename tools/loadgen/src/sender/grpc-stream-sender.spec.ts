import { type IngestEvent } from '@pulse/client';

import { Metadata, status } from '@grpc/grpc-js';

import { type WireEvent } from '../simulator/simulated-event.js';
import { GrpcStreamSender, toIngestEvent, type IngestTransport } from './grpc-stream-sender.js';
import { FatalSendError } from './send-stats.js';

const events = (from: number, n: number): WireEvent[] =>
  Array.from({ length: n }, (_, i) => ({ event_id: `e-${from + i}`, type: 'page_view', occurred_at: 1_795_514_400 }));

function grpcError(code: status, retryAfterMs?: number): Error {
  const metadata = new Metadata();
  if (retryAfterMs !== undefined) metadata.set('retry-after-ms', String(retryAfterMs));
  return Object.assign(new Error(`${code}`), { code, details: status[code], metadata });
}

/** A stand-in for IngestClient: records what arrives, fails streams as told. */
class FakeIngest implements IngestTransport {
  readonly streamed: string[][] = [];
  readonly unary: string[][] = [];
  /** the next streams fail with this error after taking this many batches */
  streamFailures: Array<{ error: Error; after: number }> = [];
  unaryFailures: Error[] = [];

  async ingestStream(batches: AsyncIterable<IngestEvent[]>) {
    const failure = this.streamFailures.shift();
    let accepted = 0;
    for await (const batch of batches) {
      this.streamed.push(batch.map((e) => e.eventId));
      accepted += batch.length;
      if (failure && this.streamed.length >= failure.after) throw failure.error;
    }
    return { accepted, duplicates: 0, rejected: [] };
  }

  async ingest(batch: IngestEvent[]) {
    const failure = this.unaryFailures.shift();
    if (failure) throw failure;
    this.unary.push(batch.map((e) => e.eventId));
    return { accepted: 0, duplicates: batch.length, rejected: [] };
  }
}

describe('GrpcStreamSender', () => {
  it('sends batches down one stream and counts its summary when it closes', async () => {
    const client = new FakeIngest();
    const sender = new GrpcStreamSender({ client, batchesPerStream: 3 });
    for (let i = 0; i < 5; i += 1) await sender.send(events(i * 2, 2));
    await sender.close();
    expect(client.streamed).toHaveLength(5);
    expect(sender.stats).toEqual(expect.objectContaining({ sent: 10, accepted: 10, requests: 2, failed: 0 }));
  });

  it('resends the batches of a failed stream with unary calls after retry-after-ms, same ids', async () => {
    const client = new FakeIngest();
    client.streamFailures = [{ error: grpcError(status.RESOURCE_EXHAUSTED, 1_500), after: 2 }];
    const waits: number[] = [];
    const sender = new GrpcStreamSender({
      client,
      batchesPerStream: 2,
      random: () => 0,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await sender.send(events(0, 2));
    await sender.send(events(2, 2));
    await sender.close();
    expect(waits[0]).toBe(1_500);
    expect(client.unary).toEqual([
      ['e-0', 'e-1'],
      ['e-2', 'e-3'],
    ]);
    expect(sender.stats).toEqual(expect.objectContaining({ sent: 4, duplicates: 4, retries: 1, failed: 0 }));
  });

  it('retries unary resends on UNAVAILABLE and gives up after maxAttempts', async () => {
    const client = new FakeIngest();
    client.streamFailures = [{ error: grpcError(status.UNAVAILABLE), after: 1 }];
    client.unaryFailures = [
      grpcError(status.UNAVAILABLE),
      grpcError(status.UNAVAILABLE),
      grpcError(status.UNAVAILABLE),
    ];
    const sender = new GrpcStreamSender({
      client,
      batchesPerStream: 1,
      retry: { maxAttempts: 3 },
      random: () => 0,
      sleep: async () => undefined,
    });
    await sender.send(events(0, 3));
    await sender.close();
    expect(sender.stats).toEqual(expect.objectContaining({ failed: 3, retries: 3 }));
  });

  it('stops on a refused API key', async () => {
    const client = new FakeIngest();
    client.streamFailures = [{ error: grpcError(status.UNAUTHENTICATED), after: 1 }];
    const sender = new GrpcStreamSender({ client, batchesPerStream: 1 });
    await sender.send(events(0, 1));
    await expect(sender.close()).rejects.toThrow(FatalSendError);
    await expect(sender.send(events(1, 1))).rejects.toThrow(/UNAUTHENTICATED/);
  });

  it('maps an event to the proto shape with every value a string', () => {
    expect(
      toIngestEvent({
        event_id: 'e-1',
        type: 'purchase',
        occurred_at: 1_795_514_400,
        quantity: 2,
        price: '12,50',
        attributes: { path: '/', score: 3 },
      }),
    ).toEqual({
      eventId: 'e-1',
      type: 'purchase',
      occurredAt: '1795514400',
      quantity: '2',
      price: '12,50',
      attributes: { path: '/', score: '3' },
    });
    expect(toIngestEvent({ event_id: 'e-2' })).toEqual({ eventId: 'e-2', type: '', occurredAt: '' });
  });
});
