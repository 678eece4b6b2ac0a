import { historyToBackfill } from './demo-traffic.js';

const NOW = Date.UTC(2026, 10, 27, 19, 30, 15);
const MINUTE = 60_000;

describe('historyToBackfill', () => {
  it('backfills the whole wanted span into an empty store', () => {
    expect(historyToBackfill(NOW, 10_800)).toBe(10_800);
  });

  it('backfills only what a previous demo left missing', () => {
    expect(historyToBackfill(NOW, 10_800, NOW - 40 * MINUTE)).toBe(40 * 60);
  });

  it('keeps the wanted span when the last data is older than it', () => {
    expect(historyToBackfill(NOW, 3_600, NOW - 5 * 60 * MINUTE)).toBe(3_600);
  });

  it('skips the backfill when under two minutes are missing, or none is wanted', () => {
    expect(historyToBackfill(NOW, 10_800, NOW - 90_000)).toBe(0);
    expect(historyToBackfill(NOW, 10_800, NOW + MINUTE)).toBe(0);
    expect(historyToBackfill(NOW, 0)).toBe(0);
  });
});
