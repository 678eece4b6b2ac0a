import { type ShopTraffic } from '../simulator/shop-traffic.js';
import { type SimulatedEvent } from '../simulator/simulated-event.js';
import { type ScheduledEvent } from './load-run.js';

/**
 * The simulated stream as a send schedule: in real time each event is due at its stream time
 * (start the traffic at the wall clock's now), in a backfill everything is due at once. Ends
 * before `until` (stream time), or never.
 */
export function* simulatedSchedule(
  traffic: ShopTraffic,
  options: { until?: number; backfill: boolean; onEvent?: (event: SimulatedEvent) => void },
): Generator<ScheduledEvent> {
  const until = options.until ?? Number.POSITIVE_INFINITY;
  while (traffic.peekTime() < until) {
    const simulated = traffic.next();
    options.onEvent?.(simulated);
    yield { event: simulated.event, dueAt: options.backfill ? 0 : simulated.meta.emitAt };
  }
}
