import { metrics } from '@opentelemetry/api';

const events = metrics.getMeter('pulse-ingest-gateway').createCounter('pulse.ingest.events', {
  description:
    'Events of ingest requests (HTTP and gRPC), by outcome: accepted (stored in pulse.raw), duplicate (already stored or repeated in the request), rejected (invalid).',
  unit: '{event}',
});

/** Counts the events of one ingest call that got as far as validation. */
export function countIngested(counts: { accepted: number; duplicates: number; rejected: number }): void {
  if (counts.accepted > 0) events.add(counts.accepted, { outcome: 'accepted' });
  if (counts.duplicates > 0) events.add(counts.duplicates, { outcome: 'duplicate' });
  if (counts.rejected > 0) events.add(counts.rejected, { outcome: 'rejected' });
}
