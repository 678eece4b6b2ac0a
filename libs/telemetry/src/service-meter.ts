import { metrics, type Meter } from '@opentelemetry/api';

let service: string | undefined;

/** Called by runService: the shared libraries' instruments go to the meter `pulse-<service>`. */
export function setMeterService(name: string): void {
  service = name;
}

/**
 * The meter of this service (`pulse-<service>`) for instruments defined in shared libraries
 * (HTTP, gRPC, consumer lag). Create instruments from it lazily, on first use: the service's name
 * is known once runService started.
 */
export function serviceMeter(): Meter {
  return metrics.getMeter(`pulse-${service ?? process.env.OTEL_SERVICE_NAME ?? 'service'}`);
}
