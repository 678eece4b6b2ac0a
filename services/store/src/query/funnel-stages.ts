import { type SketchMetric } from '@pulse/contracts';

export const FUNNEL_STAGES = [
  { stage: 'viewed', metric: 'funnel_viewed' },
  { stage: 'added', metric: 'funnel_added' },
  { stage: 'checked_out', metric: 'funnel_checked_out' },
  { stage: 'purchased', metric: 'funnel_purchased' },
] as const satisfies ReadonlyArray<{ stage: string; metric: SketchMetric }>;

export const FUNNEL_METRICS: readonly SketchMetric[] = FUNNEL_STAGES.map((stage) => stage.metric);

export interface FunnelStageResult {
  stage: (typeof FUNNEL_STAGES)[number]['stage'];
  metric: SketchMetric;
  sessions: number;
  conversionFromPrevious: number;
  conversionFromFirst: number;
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

/**
 * The four stages from distinct session counts. Each stage is counted on its own (sessions with
 * at least one event of the stage's type), so a later stage may exceed an earlier one and a rate
 * may exceed 1: the funnel reports what happened, it does not force sessions through the stages.
 */
export function funnelStages(distinct: Readonly<Record<SketchMetric, number>>): FunnelStageResult[] {
  const first = distinct[FUNNEL_STAGES[0].metric];
  let previous: number | undefined;
  return FUNNEL_STAGES.map(({ stage, metric }) => {
    const sessions = distinct[metric];
    const result = {
      stage,
      metric,
      sessions,
      conversionFromPrevious: ratio(sessions, previous ?? sessions),
      conversionFromFirst: ratio(sessions, first),
    };
    previous = sessions;
    return result;
  });
}
