import { emptySendStats } from '../sender/send-stats.js';
import { formatDuration, formatProgress, formatProgressJson, formatSummary } from './progress-report.js';

describe('progress report', () => {
  it('shows the send rate since the last line and the totals', () => {
    const previous = { elapsedMs: 1_000, send: { ...emptySendStats(), sent: 500 } };
    const now = {
      elapsedMs: 2_000,
      send: { ...emptySendStats(), sent: 1_500, accepted: 1_400, duplicates: 20, rejected: 3, retries: 1 },
      source: { lines: 1_600, 'bad lines': 2 },
    };
    expect(formatProgress(now, previous, false)).toBe(
      '[2s] sent 1,500 (1,000/s) · accepted 1,400 · duplicates 20 · rejected 3 · retries 1 · lines 1,600 · bad lines 2',
    );
    expect(formatProgress({ ...now, send: { ...now.send, failed: 7 } }, previous, false)).toContain('failed 7');
    expect(formatProgress(now, previous, true)).toBe('[2s] sent 1,500 (1,000/s) · lines 1,600 · bad lines 2');
  });

  it('writes the progress for a wrapping process as one JSON line with the stream time', () => {
    const sample = {
      elapsedMs: 3_000,
      send: { ...emptySendStats(), sent: 900, accepted: 880, duplicates: 9, rejectReasons: { 'type: missing': 2 } },
    };
    expect(JSON.parse(formatProgressJson(sample, 1_795_000_000_000))).toEqual({
      elapsedMs: 3_000,
      sent: 900,
      accepted: 880,
      duplicates: 9,
      rejected: 0,
      retries: 0,
      failed: 0,
      requests: 0,
      streamTime: 1_795_000_000_000,
    });
    expect(formatProgressJson(sample)).not.toContain('\n');
    expect(JSON.parse(formatProgressJson({ ...sample, source: { lines: 4 } })).source).toEqual({ lines: 4 });
  });

  it('summarizes the run with the most common rejection reasons and the first bad lines', () => {
    const text = formatSummary(
      {
        command: 'replay',
        target: 'http://127.0.0.1:8080/v1/events',
        elapsedMs: 65_000,
        send: { ...emptySendStats(), sent: 650, accepted: 640, rejected: 10, rejectReasons: { 'price: bad': 10 } },
        source: {
          lines: 652,
          badLines: 2,
          badExamples: [{ line: 18, reason: 'invalid_date', detail: 'InvoiceDate "13/1/2010"' }],
        },
        interrupted: false,
        exitCode: 0,
      },
      false,
    );
    expect(text).toContain('loadgen replay finished after 1m05s → http://127.0.0.1:8080/v1/events');
    expect(text).toContain('sent       650 events (10/s on average)');
    expect(text).toContain('10 × price: bad');
    expect(text).toContain('line 18: invalid_date — InvoiceDate "13/1/2010"');
  });

  it('formats durations', () => {
    expect(formatDuration(999)).toBe('0s');
    expect(formatDuration(61_000)).toBe('1m01s');
    expect(formatDuration(3_725_000)).toBe('1h02m05s');
  });
});
