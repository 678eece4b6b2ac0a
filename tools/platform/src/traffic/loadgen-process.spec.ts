import { parseProgressLine, parseTracedLine } from './loadgen-process.js';

describe('parseProgressLine', () => {
  it('reads the counts and the stream time of a --progress-json line', () => {
    const line = JSON.stringify({
      elapsedMs: 3_000,
      sent: 900,
      accepted: 880,
      duplicates: 9,
      rejected: 2,
      retries: 0,
      failed: 0,
      requests: 4,
      streamTime: 1_795_000_000_000,
    });
    expect(parseProgressLine(line)).toEqual(
      expect.objectContaining({ sent: 900, accepted: 880, duplicates: 9, rejected: 2, streamTime: 1_795_000_000_000 }),
    );
  });

  it('ignores loadgen messages and the human summary', () => {
    expect(parseProgressLine('loadgen simulate finished after 12s → http://127.0.0.1:8080/v1/events')).toBeUndefined();
    expect(parseProgressLine('  sent       6,012 events (501/s on average)')).toBeUndefined();
    expect(parseProgressLine('{not json')).toBeUndefined();
    expect(parseProgressLine('{"command":"simulate"}')).toBeUndefined();
  });
});

describe('parseTracedLine', () => {
  const traceId = '0af7651916cd43dd8448eb211c80319c';

  it("reads loadgen's traced purchase line", () => {
    const line = JSON.stringify({
      traced: { traceId, eventId: 'demo-live-7', type: 'purchase', sentAt: 1_700_000_000_000 },
    });
    expect(parseTracedLine(line)).toEqual({ traceId, eventId: 'demo-live-7', sentAt: 1_700_000_000_000 });
    expect(parseProgressLine(line)).toBeUndefined();
  });

  it('ignores progress lines and malformed trace ids', () => {
    expect(parseTracedLine('{"sent":1,"accepted":1}')).toBeUndefined();
    expect(parseTracedLine(JSON.stringify({ traced: { traceId: 'XYZ', eventId: 'e', sentAt: 1 } }))).toBeUndefined();
    expect(parseTracedLine('{"traced": nope')).toBeUndefined();
  });
});
