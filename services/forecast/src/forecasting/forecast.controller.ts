import { proto } from '@pulse/contracts';

import { status } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';

/**
 * gRPC adapter of pulse.forecast.v1.ForecastService. The models (linear + seasonal features,
 * Holt-Winters, seasonal naive, backtests) are issue 6; until then the call answers UNIMPLEMENTED
 * with that explanation rather than made-up numbers.
 */
@Controller()
@proto.pulse.forecast.v1.ForecastServiceControllerMethods()
export class ForecastController implements proto.pulse.forecast.v1.ForecastServiceController {
  forecast(): proto.pulse.forecast.v1.ForecastResponse {
    throw new RpcException({
      code: status.UNIMPLEMENTED,
      message: 'forecasting models are not implemented yet (issue 6)',
    });
  }
}
