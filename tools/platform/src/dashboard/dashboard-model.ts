/** What the dashboard shows: each panel's latest data (or error), as plain values the view renders. */
import { type TrafficState } from '../traffic/demo-traffic.js';

/** A panel's last answer: data stays shown (stale) when a later read fails. */
export interface PanelResult<T> {
  data?: T;
  error?: string;
  /** epoch ms of the last successful read */
  updatedAt?: number;
}

export interface MinutePoint {
  windowStart: number;
  /** minor units of the base currency */
  revenue: number;
  orders: number;
}

export interface RankedProduct {
  product: string;
  /** minor units of the base currency */
  revenue: number;
}

export interface FunnelStep {
  stage: string;
  sessions: number;
  /** share of the previous stage's sessions (the first stage: 1) */
  fromPrevious: number;
}

export interface Shoppers {
  users: number;
  sessions: number;
  exact: boolean;
}

export interface ForecastWindow {
  windowStart: number;
  value: number;
  lower: number;
  upper: number;
}

export type ForecastView =
  | {
      kind: 'ready';
      metric: string;
      granularity: string;
      model: string;
      /** the interval level shown, e.g. 0.8 */
      level: number;
      points: ForecastWindow[];
      /** closed windows the model was fitted on */
      historyWindows: number;
    }
  /** FAILED_PRECONDITION: the history is too short for any model yet */
  | { kind: 'needs-history'; granularity: string; required: number; have: number };

export interface AlertLine {
  windowStart: number;
  metric: string;
  dimension: string;
  granularity: string;
  severity: 'warning' | 'critical';
  direction: 'spike' | 'drop';
  actual: number;
  expectedMean: number;
  expectedLower: number;
  expectedUpper: number;
  raisedAt: number;
}

export interface StreamCounts {
  /** messages added to PULSE_DLQ since the demo started */
  dlq: number;
  /** messages added to PULSE_LATE since the demo started */
  late: number;
}

export interface DashboardModel {
  now: number;
  startedAt: number;
  tenant: string;
  currency: { code: string; exponent: number };
  /** start-up progress, newest last (shown until live traffic flows, then the last line stays) */
  progress: string[];
  traffic?: TrafficState;
  /** the trace viewer's UI (…/zipkin/), when the demo started one */
  tracesUiUrl?: string;
  minutes: PanelResult<MinutePoint[]>;
  topProducts: PanelResult<RankedProduct[]>;
  funnel: PanelResult<FunnelStep[]>;
  shoppers: PanelResult<Shoppers>;
  forecast: PanelResult<ForecastView>;
  alerts: PanelResult<AlertLine[]>;
  streams: PanelResult<StreamCounts>;
}
