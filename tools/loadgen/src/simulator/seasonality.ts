import { TimeZone } from '../time/time-zone.js';

/**
 * How busy the shop is by local hour and weekday. Both curves are scaled to mean 1, so over a
 * week the traffic averages the configured rate; the factor at an instant is hourly × weekly.
 */
export interface SeasonalityProfile {
  /** 24 relative levels at hh:00 local time, interpolated linearly in between */
  hourly: readonly number[];
  /** 7 relative levels, Monday first, constant through each local day */
  weekly: readonly number[];
}

/** A European web shop: quiet nights, a lunch bump, the evening peak; Sunday evening is the busiest. */
export const DEFAULT_SEASONALITY: Readonly<SeasonalityProfile> = Object.freeze({
  hourly: [
    0.45, 0.3, 0.22, 0.18, 0.17, 0.22, 0.4, 0.65, 0.85, 1.0, 1.1, 1.15, 1.25, 1.2, 1.15, 1.1, 1.1, 1.2, 1.35, 1.55, 1.7,
    1.6, 1.2, 0.8,
  ],
  weekly: [1.05, 1.0, 1.0, 1.0, 0.95, 0.9, 1.1],
});

/** Traffic without daily or weekly shape: the factor is always 1. */
export const FLAT_SEASONALITY: Readonly<SeasonalityProfile> = Object.freeze({
  hourly: new Array<number>(24).fill(1),
  weekly: new Array<number>(7).fill(1),
});

export class Seasonality {
  private readonly hourly: number[];
  private readonly weekly: number[];
  /** the largest factor anywhere in the week (the thinning bound of the arrival process) */
  readonly peak: number;

  constructor(
    profile: SeasonalityProfile = DEFAULT_SEASONALITY,
    private readonly zone: TimeZone = TimeZone.of('UTC'),
  ) {
    if (profile.hourly.length !== 24 || profile.weekly.length !== 7) {
      throw new RangeError('seasonality needs 24 hourly and 7 weekly levels');
    }
    if ([...profile.hourly, ...profile.weekly].some((level) => !(level >= 0))) {
      throw new RangeError('seasonality levels must be ≥ 0');
    }
    // The mean of a periodic piecewise-linear curve through equally spaced points is their mean.
    this.hourly = normalized(profile.hourly);
    this.weekly = normalized(profile.weekly);
    this.peak = Math.max(...this.hourly) * Math.max(...this.weekly);
  }

  factorAt(utcMs: number): number {
    const localMs = utcMs + this.zone.offsetMs(utcMs);
    const dayMs = ((localMs % 86_400_000) + 86_400_000) % 86_400_000;
    const hours = dayMs / 3_600_000;
    const hour = Math.floor(hours);
    const fraction = hours - hour;
    const daily = this.hourly[hour] * (1 - fraction) + this.hourly[(hour + 1) % 24] * fraction;
    // 1970-01-01 was a Thursday: day 0 → index 3 with Monday first.
    const weekday = (((Math.floor(localMs / 86_400_000) + 3) % 7) + 7) % 7;
    return daily * this.weekly[weekday];
  }
}

function normalized(levels: readonly number[]): number[] {
  const mean = levels.reduce((sum, level) => sum + level, 0) / levels.length;
  if (!(mean > 0)) throw new RangeError('a seasonality curve must not be all zero');
  return levels.map((level) => level / mean);
}
