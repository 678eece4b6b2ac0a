import { catalogue, seededRandom, session, type ShopEvent } from './shop-simulator.js';

export interface TrafficStats {
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  failedRequests: number;
  lastError?: string;
}

/**
 * Sends simulated sessions to the gateway at about `eventsPerSecond`, in batches, retrying a
 * batch on 429/503 after Retry-After (the same ids, so retries deduplicate).
 */
export class TrafficSender {
  readonly stats: TrafficStats = { sent: 0, accepted: 0, duplicates: 0, rejected: 0, failedRequests: 0 };
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly apiKey: string,
    private readonly eventsPerSecond: number,
    private readonly seed = 1,
    private readonly runId = Date.now().toString(36),
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    const random = seededRandom(this.seed);
    const products = catalogue(random);
    let index = 0;
    let buffer: ShopEvent[] = [];
    const tickMs = 200;
    while (this.running) {
      const began = Date.now();
      const target = Math.max(1, Math.round((this.eventsPerSecond * tickMs) / 1000));
      while (buffer.length < target) buffer.push(...session(index++, Date.now(), random, products, this.runId));
      const batch = buffer.slice(0, target);
      buffer = buffer.slice(target);
      await this.send(batch);
      const spent = Date.now() - began;
      if (spent < tickMs) await new Promise((resolve) => setTimeout(resolve, tickMs - spent));
    }
  }

  private async send(events: ShopEvent[]): Promise<void> {
    for (let attempt = 0; attempt < 5 && this.running; attempt += 1) {
      try {
        const response = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': this.apiKey },
          body: JSON.stringify({ events }),
          signal: AbortSignal.timeout(10_000),
        });
        if (response.status === 202) {
          const body = (await response.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
          this.stats.sent += events.length;
          this.stats.accepted += body.accepted;
          this.stats.duplicates += body.duplicates;
          this.stats.rejected += body.rejected.length;
          return;
        }
        this.stats.failedRequests += 1;
        this.stats.lastError = `HTTP ${response.status}`;
        const retryAfter = Number(response.headers.get('retry-after') ?? '1');
        await new Promise((resolve) => setTimeout(resolve, Math.min(10, retryAfter) * 1000));
      } catch (error) {
        this.stats.failedRequests += 1;
        this.stats.lastError = (error as Error).message;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }
}
