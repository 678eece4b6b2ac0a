import { LOADER_OPTIONS, PROTO_FILES, protoDir } from '@pulse/grpc';

import {
  loadPackageDefinition,
  Metadata,
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/**
 * A stand-in for the store's pulse.store.v1.MetricsService inside the test process, serving
 * generated series: the forecast service's shell is tested as a unit against it (the store itself
 * is tested against Cassandra in services/store). It authenticates API keys like the store (the
 * tenant comes from the key), answers GetSeries and TopDimensions from functions the test gives,
 * records every call with the deadline it carried, and can be stopped and restarted on its port.
 * Test-only: `*.fixture.ts` files are not built into dist.
 */

const WINDOW_MS: Record<string, number> = {
  GRANULARITY_MINUTE: 60_000,
  GRANULARITY_HOUR: 3_600_000,
  GRANULARITY_DAY: 86_400_000,
};

/** A series value of a tenant's window, or undefined when the store has no data for it. */
export type SeriesSource = (
  tenant: string,
  metric: string,
  dimension: string,
  granularity: string,
  windowStart: number,
) => number | undefined;

export interface RecordedCall {
  readonly method: 'GetSeries' | 'TopDimensions';
  readonly tenant: string;
  readonly request: Record<string, unknown>;
  /** Epoch ms of the call's deadline; Infinity when it had none. */
  readonly deadline: number;
  readonly receivedAt: number;
}

interface Timestamp {
  seconds: number;
  nanos: number;
}

const millis = (t: Timestamp | undefined) => (t ? Number(t.seconds) * 1000 + Math.floor(Number(t.nanos) / 1e6) : 0);
const timestamp = (ms: number): Timestamp => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

export class FakeMetricsStore {
  readonly calls: RecordedCall[] = [];
  /** Answers are delayed this long (to run past a caller's deadline). */
  delayMs = 0;
  /** Windows whose point is still live (closed = false). */
  readonly liveWindows = new Set<number>();
  /** Top products per tenant (TopDimensions of kind product). */
  readonly topProducts = new Map<string, string[]>();
  private server?: Server;
  private readonly definition: ServiceDefinition;

  constructor(
    readonly port: number,
    private readonly tenantsByKey: ReadonlyMap<string, string>,
    public source: SeriesSource,
  ) {
    const loaded = loadPackageDefinition(
      loadSync(PROTO_FILES.store, { ...LOADER_OPTIONS, includeDirs: [protoDir()] }),
    ) as unknown as { pulse: { store: { v1: { MetricsService: { service: ServiceDefinition } } } } };
    this.definition = loaded.pulse.store.v1.MetricsService.service;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = new Server();
    server.addService(this.definition, {
      GetSeries: (call: ServerUnaryCall<Record<string, unknown>, unknown>, callback: sendUnaryData<unknown>) =>
        this.answer('GetSeries', call, callback, (tenant, request) => this.series(tenant, request)),
      TopDimensions: (call: ServerUnaryCall<Record<string, unknown>, unknown>, callback: sendUnaryData<unknown>) =>
        this.answer('TopDimensions', call, callback, (tenant) => ({
          kind: 'product',
          metric: 'revenue',
          dimensions: (this.topProducts.get(tenant) ?? []).map((dimension, i) => ({
            rank: i + 1,
            dimension,
            value: 1000 - i,
            overflow: dimension.endsWith(':__other__'),
          })),
          nextPageToken: '',
          totalDimensions: this.topProducts.get(tenant)?.length ?? 0,
        })),
    });
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(this.address, ServerCredentials.createInsecure(), (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    this.server = server;
  }

  /** Stops listening at once (callers see UNAVAILABLE); start() serves again on the same port. */
  stop(): void {
    this.server?.forceShutdown();
    this.server = undefined;
  }

  callsOf(method: RecordedCall['method']): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  private answer(
    method: RecordedCall['method'],
    call: ServerUnaryCall<Record<string, unknown>, unknown>,
    callback: sendUnaryData<unknown>,
    respond: (tenant: string, request: Record<string, unknown>) => unknown,
  ): void {
    const [key] = call.metadata.get('x-api-key');
    const tenant = typeof key === 'string' ? this.tenantsByKey.get(key) : undefined;
    if (!tenant) {
      callback({ code: status.UNAUTHENTICATED, details: 'unknown API key', metadata: new Metadata() });
      return;
    }
    const deadline = call.getDeadline();
    this.calls.push({
      method,
      tenant,
      request: call.request,
      deadline: deadline instanceof Date ? deadline.getTime() : Number(deadline),
      receivedAt: Date.now(),
    });
    const reply = () => {
      if (call.cancelled) return;
      callback(null, respond(tenant, call.request));
    };
    if (this.delayMs > 0) setTimeout(reply, this.delayMs);
    else reply();
  }

  private series(tenant: string, request: Record<string, unknown>): unknown {
    const granularity = String(request.granularity);
    const size = WINDOW_MS[granularity];
    const from = millis(request.from as Timestamp);
    const to = millis(request.to as Timestamp);
    const metric = String(request.metric);
    const dimension = String(request.dimension || 'all');
    const points = [];
    for (let start = Math.ceil(from / size) * size; start < to; start += size) {
      const value = this.source(tenant, metric, dimension, granularity, start);
      if (value === undefined) continue;
      points.push({
        windowStart: timestamp(start),
        windowEnd: timestamp(start + size),
        value,
        values: [value],
        closed: !this.liveWindows.has(start),
        filled: false,
      });
    }
    return { metric, metrics: [metric], dimension, granularity, points, timeZone: 'UTC' };
  }
}
