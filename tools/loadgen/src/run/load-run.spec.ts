import { emptySendStats, FatalSendError, type EventSender } from '../sender/send-stats.js';
import { FLAT_SEASONALITY } from '../simulator/seasonality.js';
import { ShopTraffic } from '../simulator/shop-traffic.js';
import { type WireEvent } from '../simulator/simulated-event.js';
import { LoadRun, type ScheduledEvent } from './load-run.js';
import { simulatedSchedule } from './simulated-source.js';

interface Clock {
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** A sender that records batches; `delayMs` makes each send take that long (in fake time). */
class RecordingSender implements EventSender {
  readonly stats = emptySendStats();
  readonly batches: Array<{ at: number; ids: string[] }> = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly clock: Clock,
    private readonly delayMs = 0,
    private readonly fatalAfter = Infinity,
  ) {}

  async send(events: WireEvent[]): Promise<void> {
    if (this.batches.length >= this.fatalAfter) throw new FatalSendError('HTTP 401');
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.batches.push({ at: this.clock.now(), ids: events.map((e) => e.event_id) });
    this.stats.sent += events.length;
    await this.clock.sleep(this.delayMs);
    this.stats.accepted += events.length;
    this.inFlight -= 1;
  }

  async close(): Promise<void> {
    // Nothing buffered.
  }
}

/** Virtual time: sleeping advances it, so runs with waits take no real time. */
class FakeClock implements Clock {
  private time = 0;
  now = () => this.time;
  sleep = async (ms: number, signal?: AbortSignal) => {
    if (signal?.aborted) return;
    await Promise.resolve();
    this.time = Math.max(this.time, this.time + ms);
  };
}

const scheduled = (dueTimes: number[]): ScheduledEvent[] =>
  dueTimes.map((dueAt, i) => ({ event: { event_id: `e-${i}` }, dueAt }));

describe('LoadRun', () => {
  it('sends full batches when events are overdue, and everything it took', async () => {
    const clock = new FakeClock();
    const sender = new RecordingSender(clock);
    const run = new LoadRun(scheduled(new Array(1_050).fill(0)), sender, {
      batchSize: 250,
      concurrency: 2,
      lingerMs: 200,
      ...clock,
    });
    const result = await run.run();
    expect(result).toEqual({ taken: 1_050, batches: 5, fatal: undefined, interrupted: false });
    expect(sender.batches.map((b) => b.ids.length)).toEqual([250, 250, 250, 250, 50]);
    expect(sender.stats.accepted).toBe(1_050);
  });

  it('waits until each event is due and sends a batch once it has lingered long enough', async () => {
    const clock = new FakeClock();
    const sender = new RecordingSender(clock);
    // One event every 50 ms for a second: batches close when the next event would exceed 200 ms of lingering.
    const run = new LoadRun(scheduled(Array.from({ length: 20 }, (_, i) => i * 50)), sender, {
      batchSize: 100,
      concurrency: 1,
      lingerMs: 200,
      ...clock,
    });
    await run.run();
    expect(sender.batches.map((b) => b.ids.length)).toEqual([4, 4, 4, 4, 4]);
    expect(sender.batches.map((b) => b.at)).toEqual([150, 350, 550, 750, 950]);
  });

  it('keeps at most `concurrency` batches in flight', async () => {
    // Real time here: each send takes 20 ms, so batches overlap as far as they are allowed to.
    const realClock: Clock = { now: Date.now, sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };
    const sender = new RecordingSender(realClock, 20);
    await new LoadRun(scheduled(new Array(100).fill(0)), sender, {
      batchSize: 10,
      concurrency: 3,
      lingerMs: 200,
    }).run();
    expect(sender.maxInFlight).toBe(3);
    expect(sender.stats.accepted).toBe(100);
  });

  it('holds the rate under --max-rate with a token bucket', async () => {
    const clock = new FakeClock();
    const sender = new RecordingSender(clock);
    await new LoadRun(scheduled(new Array(5_000).fill(0)), sender, {
      batchSize: 100,
      concurrency: 4,
      lingerMs: 200,
      maxRate: 1_000,
      ...clock,
    }).run();
    // 5,000 events at 1,000/s with a burst of 100: the last batch goes out after about 4.9 s.
    const last = sender.batches[sender.batches.length - 1].at;
    expect(last).toBeGreaterThanOrEqual(4_800);
    expect(last).toBeLessThanOrEqual(5_000);
  });

  it('stops taking events when stopped, still sends what it took, and says it was interrupted', async () => {
    const clock = new FakeClock();
    const sender = new RecordingSender(clock);
    const stop = new AbortController();
    const endless = function* (): Generator<ScheduledEvent> {
      for (let i = 0; ; i += 1) {
        if (i === 777) stop.abort();
        yield { event: { event_id: `e-${i}` }, dueAt: 0 };
      }
    };
    const result = await new LoadRun(endless(), sender, {
      batchSize: 100,
      concurrency: 2,
      lingerMs: 200,
      signal: stop.signal,
      ...clock,
    }).run();
    expect(result.interrupted).toBe(true);
    expect(result.taken).toBe(777);
    expect(sender.stats.sent).toBe(777);
  });

  it('ends the run on a fatal send error without sending more', async () => {
    const clock = new FakeClock();
    const sender = new RecordingSender(clock, 10, 2);
    const result = await new LoadRun(scheduled(new Array(2_000).fill(0)), sender, {
      batchSize: 100,
      concurrency: 1,
      lingerMs: 200,
      ...clock,
    }).run();
    expect(result.fatal?.message).toBe('HTTP 401');
    expect(result.interrupted).toBe(false);
    expect(sender.batches).toHaveLength(2);
  });

  it('plays a simulated stream in real time: every event is sent no earlier than its stream time', async () => {
    const clock = new FakeClock();
    const sender = new RecordingSender(clock);
    const traffic = new ShopTraffic({ seed: 3, start: 0, rate: 50, seasonality: FLAT_SEASONALITY, warmUpMs: 0 });
    const emitAt = new Map<string, number>();
    const source = simulatedSchedule(traffic, {
      until: 10_000,
      backfill: false,
      onEvent: ({ event, meta }) => emitAt.set(event.event_id, meta.emitAt),
    });
    await new LoadRun(source, sender, { batchSize: 250, concurrency: 2, lingerMs: 200, ...clock }).run();
    const early = sender.batches.flatMap((b) => b.ids.filter((id) => (emitAt.get(id) ?? 0) > b.at));
    expect(early).toEqual([]);
    expect(sender.stats.sent).toBe(emitAt.size);
    expect(emitAt.size).toBeGreaterThan(100);
  });
});
