import { apiKeyMetadata, createServiceClient, timestamp, unary, type UnaryMethod } from '@pulse/client';
import { type proto } from '@pulse/contracts';
import { PROTO_FILES } from '@pulse/grpc';

import { type Client, type ClientReadableStream, type Metadata } from '@grpc/grpc-js';

type Alert = proto.pulse.forecast.v1.Alert;
type ListAlertsRequest = proto.pulse.forecast.v1.ListAlertsRequest;
type ListAlertsResponse = proto.pulse.forecast.v1.ListAlertsResponse;
type WatchAlertsRequest = proto.pulse.forecast.v1.WatchAlertsRequest;
type WatchAlertsResponse = proto.pulse.forecast.v1.WatchAlertsResponse;

type AlertMethods = {
  ListAlerts: UnaryMethod<ListAlertsRequest, ListAlertsResponse>;
  WatchAlerts: (request: WatchAlertsRequest, metadata: Metadata) => ClientReadableStream<WatchAlertsResponse>;
};

/**
 * ListAlerts and WatchAlerts of pulse.forecast.v1.ForecastService with one tenant's key.
 * (ForecastClient in @pulse/client gains the same two calls; this adapter can then delegate.)
 */
export class ForecastAlertsClient {
  private readonly client: Client & AlertMethods;

  constructor(
    address: string,
    private readonly apiKey: string,
    private readonly deadlineMs: number,
  ) {
    this.client = createServiceClient(
      PROTO_FILES.forecast,
      'pulse.forecast.v1.ForecastService',
      { address, apiKey },
      'all',
    ) as ForecastAlertsClient['client'];
  }

  /** Every alert raised at or after `since`, oldest first, following the pages (at most `maxPages`). */
  async listSince(since: number, maxPages = 20): Promise<Alert[]> {
    const alerts: Alert[] = [];
    let pageToken = '';
    for (let page = 0; page < maxPages; page += 1) {
      const response = await unary(
        this.client.ListAlerts.bind(this.client),
        { since: timestamp(since), pageSize: 1_000, pageToken },
        apiKeyMetadata(this.apiKey),
        this.deadlineMs,
      );
      alerts.push(...response.alerts);
      pageToken = response.nextPageToken;
      if (!pageToken) break;
    }
    return alerts;
  }

  /** Alerts as they are raised (after replaying those since `since`), until cancelled. */
  watch(since: number): ClientReadableStream<WatchAlertsResponse> {
    return this.client.WatchAlerts({ since: timestamp(since) }, apiKeyMetadata(this.apiKey));
  }

  close(): void {
    this.client.close();
  }
}
