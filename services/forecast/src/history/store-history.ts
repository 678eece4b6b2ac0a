import { fieldViolations, isServiceError, MetricsClient, millis, timestamp, type FieldViolation } from '@pulse/client';
import { hashApiKey } from '@pulse/config';
import { GRANULARITIES, proto, type DimensionKind, type Granularity, type Metric } from '@pulse/contracts';

import { status } from '@grpc/grpc-js';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';

import { FORECAST_CONFIG, type ForecastConfig } from '../forecast.config.js';
import { type SeriesRef } from '../forecasting/forecast-requests.js';
import { type StoredWindow } from './history-series.js';

const { Granularity: StoreGranularity } = proto.pulse.store.v1;
const STORE_GRANULARITY: Readonly<Record<Granularity, proto.pulse.store.v1.Granularity>> = {
  '1m': StoreGranularity.GRANULARITY_MINUTE,
  '1h': StoreGranularity.GRANULARITY_HOUR,
  '1d': StoreGranularity.GRANULARITY_DAY,
};

/** Windows per GetSeries call: well inside the store's default limits (10,000 windows and points). */
const WINDOWS_PER_READ = 5_000;
/** Store clients kept, one per API key (each holds a channel). */
const MAX_CLIENTS = 256;

/** The store refused or could not answer a read; `code` is the gRPC status it failed with. */
export class StoreReadError extends Error {
  override readonly name = 'StoreReadError';

  constructor(
    readonly code: number,
    readonly details: string,
    readonly violations: readonly FieldViolation[],
  ) {
    super(`store read failed (${code}): ${details}`);
  }
}

/**
 * Reads series history from the store's MetricsService through @pulse/client, with the API key of
 * the tenant it reads for (a caller's own key, or the watcher's key of the tenant): the store
 * authenticates it, so one tenant's reads can never return another's data.
 */
@Injectable()
export class StoreHistory implements OnApplicationShutdown {
  private readonly clients = new Map<string, MetricsClient>();

  constructor(@Inject(FORECAST_CONFIG) private readonly config: ForecastConfig) {}

  /** Stored windows of the series that start in [from, to), ascending (absent windows are not in it). */
  async windows(
    apiKey: string,
    series: SeriesRef,
    from: number,
    to: number,
    deadline: number,
  ): Promise<StoredWindow[]> {
    const size = GRANULARITIES[series.granularity];
    const windows: StoredWindow[] = [];
    for (let start = from; start < to; start += WINDOWS_PER_READ * size) {
      const end = Math.min(to, start + WINDOWS_PER_READ * size);
      const response = await this.read(deadline, (client, deadlineMs) =>
        client.getSeries(
          {
            metric: series.metric,
            dimension: series.dimension,
            granularity: STORE_GRANULARITY[series.granularity],
            from: timestamp(start),
            to: timestamp(end),
          },
          deadlineMs,
        ),
      )(apiKey);
      for (const point of response.points) {
        const windowStart = millis(point.windowStart);
        if (windowStart >= start && windowStart < end) {
          windows.push({ start: windowStart, value: Number(point.value), closed: point.closed });
        }
      }
    }
    return windows;
  }

  /** The k dimensions of a kind with the largest value of a metric over [from, to), best first. */
  async top(
    apiKey: string,
    kind: DimensionKind,
    metric: Metric,
    from: number,
    to: number,
    k: number,
    deadline: number,
  ): Promise<Array<{ dimension: string; overflow: boolean }>> {
    const response = await this.read(deadline, (client, deadlineMs) =>
      client.topDimensions({ kind, metric, from, to, k }, deadlineMs),
    )(apiKey);
    return response.dimensions.map((ranked) => ({ dimension: ranked.dimension, overflow: ranked.overflow }));
  }

  onApplicationShutdown(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private read<T>(deadline: number, call: (client: MetricsClient, deadlineMs: number) => Promise<T>) {
    return async (apiKey: string): Promise<T> => {
      const deadlineMs = Math.min(deadline - Date.now(), this.config.PULSE_FORECAST_STORE_TIMEOUT_MS);
      if (deadlineMs <= 0) throw new StoreReadError(status.DEADLINE_EXCEEDED, 'no time left to read the store', []);
      try {
        return await call(this.client(apiKey), deadlineMs);
      } catch (error) {
        if (isServiceError(error)) throw new StoreReadError(error.code, error.details, fieldViolations(error));
        throw error;
      }
    };
  }

  private client(apiKey: string): MetricsClient {
    const id = hashApiKey(apiKey);
    let client = this.clients.get(id);
    if (client) {
      this.clients.delete(id);
    } else {
      client = new MetricsClient({ address: this.config.PULSE_STORE_ADDR, apiKey });
      if (this.clients.size >= MAX_CLIENTS) {
        const [oldest, evicted] = this.clients.entries().next().value as [string, MetricsClient];
        this.clients.delete(oldest);
        evicted.close();
      }
    }
    this.clients.set(id, client);
    return client;
  }
}
