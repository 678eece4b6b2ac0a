/**
 * When a replayed line is sent and which occurred_at it carries.
 *
 * Pacing: `backfill` sends everything at once (the sender's rate limit and backpressure decide);
 * `speed` N sends a line (t − first) / N after the start, so an hour of data takes a minute at 60.
 *
 * Times: `original` keeps the dataset's instants; `end-now` shifts them all by one constant so the
 * dataset's last instant is the start of the replay (history that ends now); `live` (speed only)
 * stamps each line with the moment it is due, so the data looks like it is happening now,
 * compressed N times.
 */
export type ReplayPacing = { kind: 'backfill' } | { kind: 'speed'; factor: number };
export type ReplayTimes = 'original' | 'end-now' | 'live';

export interface ReplayClockOptions {
  pacing: ReplayPacing;
  times: ReplayTimes;
  /** wall time the replay starts, epoch ms */
  startedAt: number;
  /** the dataset's latest instant, needed for `end-now` */
  lastInstant?: number;
}

export class ReplayClock {
  /** the first replayed line's instant: speed and live measure from it */
  private anchor?: number;

  constructor(private readonly options: ReplayClockOptions) {
    if (options.pacing.kind === 'speed' && !(options.pacing.factor > 0 && Number.isFinite(options.pacing.factor))) {
      throw new RangeError('speed must be a positive factor');
    }
    if (options.times === 'live' && options.pacing.kind !== 'speed') {
      throw new RangeError('live times need a speed: with backfill every line would happen at once');
    }
    if (options.times === 'end-now' && options.lastInstant === undefined) {
      throw new RangeError("end-now needs the dataset's last instant");
    }
  }

  /** Wall time at which the line of this dataset instant is due. */
  dueAt(instant: number): number {
    const { pacing, startedAt } = this.options;
    if (pacing.kind === 'backfill') return startedAt;
    this.anchor ??= instant;
    return startedAt + (instant - this.anchor) / pacing.factor;
  }

  /** The occurred_at sent for this dataset instant, epoch ms. */
  occurredAt(instant: number): number {
    switch (this.options.times) {
      case 'original':
        return instant;
      case 'end-now':
        return instant + (this.options.startedAt - (this.options.lastInstant ?? instant));
      case 'live':
        return Math.round(this.dueAt(instant));
    }
  }
}
