import { metrics } from '@opentelemetry/api';

import { type ClosedWindow } from './window-close.js';

const meter = metrics.getMeter('pulse-aggregator');

/** Seconds to a day: with the default lateness a minute window closes a few minutes after its end. */
const CLOSE_DELAY_BUCKETS_S = [1, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400];

const lateEvents = meter.createCounter('pulse.aggregator.late.events', {
  description: 'Events that arrived after their window closed, published to pulse.late.<tenant>.',
  unit: '{event}',
});
const closeDelay = meter.createHistogram('pulse.aggregator.window.close.delay', {
  description: "Wall-clock time at which a window's final partials were published minus the window's end.",
  unit: 's',
  advice: { explicitBucketBoundaries: CLOSE_DELAY_BUCKETS_S },
});
const checkpointSaves = meter.createCounter('pulse.aggregator.checkpoint.saves', {
  description: 'Partition checkpoint saves, by outcome (ok, error).',
  unit: '{checkpoint}',
});

export function countLateEvent(tenant: string, reason: string): void {
  lateEvents.add(1, { tenant, reason });
}

export function recordWindowsClosed(windows: readonly ClosedWindow[], now: number): void {
  for (const { granularity, end } of windows) closeDelay.record(Math.max(0, now - end) / 1_000, { granularity });
}

export function countCheckpointSave(outcome: 'ok' | 'error'): void {
  checkpointSaves.add(1, { outcome });
}

/**
 * `pulse.aggregator.checkpoint.age` (s): the oldest unsaved state of the process — for each
 * partition holding events folded after its last saved checkpoint, now − that save (or its start),
 * 0 when everything folded is saved. What a crash now would have to replay, in time.
 */
export function observeCheckpointAge(ageMs: () => number | undefined): void {
  meter
    .createObservableGauge('pulse.aggregator.checkpoint.age', {
      description:
        'Time since the last checkpoint save of the partition with the oldest unsaved state; 0 when all is saved.',
      unit: 's',
    })
    .addCallback((result) => {
      const age = ageMs();
      if (age !== undefined) result.observe(age / 1_000);
    });
}
