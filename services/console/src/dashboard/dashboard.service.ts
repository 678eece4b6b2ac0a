import { ApiKeyRegistry, hashApiKey } from '@pulse/config';

import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';

import { CONSOLE_CONFIG, type ConsoleConfig } from '../console.config.js';
import { PipelineHealthService } from '../pipeline/pipeline-health.service.js';
import { type Snapshot } from './dashboard-snapshot.js';
import { TenantFeed, type SnapshotListener } from './tenant-feed.js';

/** A feed nobody watches is kept this long, so a page reload does not restart it. */
const IDLE_FEED_MS = 10_000;

export type KeyCheck = { ok: true; tenant: string } | { ok: false; reason: 'unauthenticated' | 'forbidden' };

export interface LiveStream {
  /** Ends the stream from the server side (shutdown). */
  close(): void;
}

/**
 * The live feeds, one per API key that some tab is looking at, and the open streams. The key is
 * checked against the key file first, so an unknown key opens nothing; the feed then queries with
 * that key (the store and the forecast service check it again). Shutdown ends every stream, so
 * the HTTP server can close.
 */
@Injectable()
export class DashboardService implements OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger(DashboardService.name);
  private readonly feeds = new Map<string, { feed: TenantFeed; idleTimer?: NodeJS.Timeout }>();
  private readonly streams = new Set<LiveStream>();
  private closing = false;

  constructor(
    @Inject(CONSOLE_CONFIG) private readonly config: Readonly<ConsoleConfig>,
    private readonly keys: ApiKeyRegistry,
    private readonly pipeline: PipelineHealthService,
  ) {}

  check(apiKey: string | undefined): KeyCheck {
    const result = this.keys.authenticate(apiKey, 'query');
    return result.ok ? { ok: true, tenant: result.tenant } : { ok: false, reason: result.reason };
  }

  get streamCount(): number {
    return this.streams.size;
  }

  /** One snapshot on demand (the feed's latest, or a fresh read). */
  snapshot(apiKey: string, tenant: string): Promise<Snapshot> {
    const entry = this.feed(apiKey, tenant);
    const promise = entry.feed.current();
    this.releaseIfIdle(apiKey);
    return promise;
  }

  /** Registers a live stream; returns undefined when the console is at its limit or closing. */
  open(apiKey: string, tenant: string, listener: SnapshotListener, stream: LiveStream): (() => void) | undefined {
    if (this.closing || this.streams.size >= this.config.PULSE_CONSOLE_MAX_STREAMS) return undefined;
    const entry = this.feed(apiKey, tenant);
    clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    const unsubscribe = entry.feed.subscribe(listener);
    this.streams.add(stream);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.streams.delete(stream);
      unsubscribe();
      this.releaseIfIdle(apiKey);
    };
  }

  /** Runs before the HTTP server closes: end the streams, or it would wait for them forever. */
  onModuleDestroy(): void {
    this.closing = true;
    const open = [...this.streams];
    if (open.length > 0) this.logger.log(`closing ${open.length} live stream(s)`);
    for (const stream of open) stream.close();
    this.streams.clear();
  }

  onApplicationShutdown(): void {
    for (const { feed, idleTimer } of this.feeds.values()) {
      clearTimeout(idleTimer);
      feed.stop();
    }
    this.feeds.clear();
  }

  private feed(apiKey: string, tenant: string): { feed: TenantFeed; idleTimer?: NodeJS.Timeout } {
    const id = hashApiKey(apiKey);
    let entry = this.feeds.get(id);
    if (!entry) {
      entry = { feed: new TenantFeed(tenant, apiKey, this.config, this.pipeline) };
      this.feeds.set(id, entry);
      entry.feed.start();
    }
    return entry;
  }

  private releaseIfIdle(apiKey: string): void {
    const id = hashApiKey(apiKey);
    const entry = this.feeds.get(id);
    if (!entry || entry.feed.listenerCount > 0 || entry.idleTimer) return;
    entry.idleTimer = setTimeout(() => {
      if (entry.feed.listenerCount > 0) return;
      entry.feed.stop();
      this.feeds.delete(id);
    }, IDLE_FEED_MS);
    entry.idleTimer.unref();
  }
}
