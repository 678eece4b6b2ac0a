import { ApiKeyRegistry, presentedApiKey } from '@pulse/config';
import { proto } from '@pulse/contracts';
import { tenantFromMetadata } from '@pulse/grpc';

import { type Metadata, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import { Controller, Inject, Logger } from '@nestjs/common';
import { catchError, map, throwError, type Observable } from 'rxjs';

import { pageToken, parseListAlertsRequest, parseWatchAlertsRequest } from '../alerts/alert-requests.js';
import { AlertStream } from '../alerts/alert-stream.js';
import { FORECAST_CONFIG, type ForecastConfig } from '../forecast.config.js';
import { CallBudget } from '../forecasting/call-budget.js';
import { parseBacktestRequest, parseForecastRequest } from '../forecasting/forecast-requests.js';
import { ForecastService, type Caller } from '../forecasting/forecast.service.js';
import { backtestResponse, forecastResponse, protoAlert } from './forecast-messages.js';
import { rpcStatus } from './forecast-status.js';

type Req<K extends keyof proto.pulse.forecast.v1.ForecastServiceController> = Parameters<
  proto.pulse.forecast.v1.ForecastServiceController[K]
>[0];
type Call = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

function callDeadline(call: Call | undefined): number {
  const deadline = call?.getDeadline();
  if (deadline instanceof Date) return deadline.getTime();
  return typeof deadline === 'number' ? deadline : Infinity;
}

/**
 * gRPC adapter of pulse.forecast.v1.ForecastService: authenticates the key (the tenant comes only
 * from it, and the key is what history is read from the store with), turns proto requests into
 * queries and results into proto responses, bounds each call by its deadline (and the server's
 * query timeout), stops when the caller leaves, and maps errors in one place (forecast-status.ts).
 */
@Controller()
@proto.pulse.forecast.v1.ForecastServiceControllerMethods()
export class ForecastController implements proto.pulse.forecast.v1.ForecastServiceController {
  private readonly logger = new Logger(ForecastController.name);

  constructor(
    private readonly apiKeys: ApiKeyRegistry,
    private readonly forecasts: ForecastService,
    private readonly alerts: AlertStream,
    @Inject(FORECAST_CONFIG) private readonly config: ForecastConfig,
  ) {}

  forecast(
    request: Req<'forecast'>,
    metadata?: Metadata,
    call?: Call,
  ): Promise<proto.pulse.forecast.v1.ForecastResponse> {
    return this.unary(metadata, call, async (caller, budget) =>
      forecastResponse(await this.forecasts.forecast(caller, parseForecastRequest(request), budget)),
    );
  }

  backtest(
    request: Req<'backtest'>,
    metadata?: Metadata,
    call?: Call,
  ): Promise<proto.pulse.forecast.v1.BacktestResponse> {
    return this.unary(metadata, call, async (caller, budget) =>
      backtestResponse(await this.forecasts.backtest(caller, parseBacktestRequest(request), budget)),
    );
  }

  listAlerts(
    request: Req<'listAlerts'>,
    metadata?: Metadata,
    call?: Call,
  ): Promise<proto.pulse.forecast.v1.ListAlertsResponse> {
    return this.unary(metadata, call, async (caller, budget) => {
      const page = await budget.race(this.alerts.page(caller.tenant, parseListAlertsRequest(request)));
      return {
        alerts: page.alerts.map(protoAlert),
        nextPageToken: page.nextSequence === undefined ? '' : pageToken(page.nextSequence),
      };
    });
  }

  watchAlerts(
    request: Req<'watchAlerts'>,
    metadata?: Metadata,
  ): Observable<proto.pulse.forecast.v1.WatchAlertsResponse> {
    try {
      const caller = this.caller(metadata);
      const { since } = parseWatchAlertsRequest(request);
      return this.alerts.watch(caller.tenant, since).pipe(
        map((stored) => ({ alert: protoAlert(stored) })),
        catchError((error: unknown) => throwError(() => rpcStatus(error, this.logger))),
      );
    } catch (error) {
      return throwError(() => rpcStatus(error, this.logger));
    }
  }

  private caller(metadata: Metadata | undefined): Caller {
    const tenant = tenantFromMetadata(this.apiKeys, metadata, 'query');
    const [apiKey] = metadata?.get('x-api-key') ?? [];
    const [authorization] = metadata?.get('authorization') ?? [];
    const key = presentedApiKey({
      apiKey: typeof apiKey === 'string' ? apiKey : undefined,
      authorization: typeof authorization === 'string' ? authorization : undefined,
    });
    return { tenant, apiKey: key ?? '' };
  }

  private async unary<T>(
    metadata: Metadata | undefined,
    call: Call | undefined,
    run: (caller: Caller, budget: CallBudget) => Promise<T>,
  ): Promise<T> {
    const budget = CallBudget.of(callDeadline(call), this.config.PULSE_FORECAST_QUERY_TIMEOUT_MS);
    const cancel = () => budget.cancel();
    call?.once('cancelled', cancel);
    if (call?.cancelled) budget.cancel();
    try {
      return await run(this.caller(metadata), budget);
    } catch (error) {
      throw rpcStatus(error, this.logger);
    } finally {
      call?.off('cancelled', cancel);
    }
  }
}
