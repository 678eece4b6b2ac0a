import { funnelStages } from './funnel-stages.js';

const distinct = (viewed: number, added: number, checkedOut: number, purchased: number) => ({
  unique_users: 0,
  unique_sessions: 0,
  funnel_viewed: viewed,
  funnel_added: added,
  funnel_checked_out: checkedOut,
  funnel_purchased: purchased,
});

describe('funnelStages', () => {
  it('reports the four stages with step and overall conversion', () => {
    expect(funnelStages(distinct(200, 50, 20, 10))).toEqual([
      { stage: 'viewed', metric: 'funnel_viewed', sessions: 200, conversionFromPrevious: 1, conversionFromFirst: 1 },
      { stage: 'added', metric: 'funnel_added', sessions: 50, conversionFromPrevious: 0.25, conversionFromFirst: 0.25 },
      {
        stage: 'checked_out',
        metric: 'funnel_checked_out',
        sessions: 20,
        conversionFromPrevious: 0.4,
        conversionFromFirst: 0.1,
      },
      {
        stage: 'purchased',
        metric: 'funnel_purchased',
        sessions: 10,
        conversionFromPrevious: 0.5,
        conversionFromFirst: 0.05,
      },
    ]);
  });

  it('answers 0 instead of dividing by zero', () => {
    const stages = funnelStages(distinct(0, 0, 3, 0));
    expect(stages.map((stage) => [stage.conversionFromPrevious, stage.conversionFromFirst])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
  });

  it('lets a later stage exceed an earlier one (stages are counted independently)', () => {
    expect(funnelStages(distinct(10, 20, 0, 0))[1]!.conversionFromPrevious).toBe(2);
  });
});
