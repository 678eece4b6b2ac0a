import { metrics } from '@opentelemetry/api';

import { type DlqReason } from './dlq-reasons.js';

const meter = metrics.getMeter('pulse-cleaner');

/** What became of a raw message: published clean, dead-lettered, or failed and left for redelivery. */
export type CleanerOutcome = 'clean' | 'dlq' | 'retry';

const events = meter.createCounter('pulse.cleaner.events', {
  description: 'Raw messages handled, by outcome (clean, dlq, retry: failed and redelivered).',
  unit: '{event}',
});
const dlqEvents = meter.createCounter('pulse.cleaner.dlq.events', {
  description: 'Events dead-lettered to pulse.dlq.<tenant>, by DLQ reason code and tenant.',
  unit: '{event}',
});

export function countCleanerOutcome(outcome: CleanerOutcome): void {
  events.add(1, { outcome });
}

export function countDeadLetter(reason: DlqReason, tenant: string): void {
  dlqEvents.add(1, { reason, tenant });
  events.add(1, { outcome: 'dlq' });
}
