import { parseProgressLine } from './loadgen-process.js';

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
