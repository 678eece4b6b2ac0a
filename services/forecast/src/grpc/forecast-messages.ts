import { timestamp } from '@pulse/client';
import { GRANULARITIES, proto } from '@pulse/contracts';
import { type ModelChoice } from '@pulse/forecasting';

import { type StoredAlert } from '../alerts/alert-stream.js';
import { type BacktestResult, type ForecastResult } from '../forecasting/forecast.service.js';

const { ForecastModel, AlertSeverity, AnomalyDirection } = proto.pulse.forecast.v1;

/** Domain → proto of pulse.forecast.v1 (epoch ms → Timestamp, model names → enum values). */
const PROTO_MODEL: Readonly<Record<ModelChoice, proto.pulse.forecast.v1.ForecastModel>> = {
  auto: ForecastModel.FORECAST_MODEL_AUTO,
  linear: ForecastModel.FORECAST_MODEL_LINEAR,
  holt_winters: ForecastModel.FORECAST_MODEL_HOLT_WINTERS,
  seasonal_naive: ForecastModel.FORECAST_MODEL_SEASONAL_NAIVE,
};

export function protoModel(model: ModelChoice): proto.pulse.forecast.v1.ForecastModel {
  return PROTO_MODEL[model];
}

export function forecastResponse(result: ForecastResult): proto.pulse.forecast.v1.ForecastResponse {
  const { query, model, points } = result;
  const size = GRANULARITIES[query.granularity];
  return {
    model: protoModel(model.fitted.model),
    points: points.map((point) => ({
      windowStart: timestamp(point.t),
      windowEnd: timestamp(point.t + size),
      value: point.mean,
      intervals: point.intervals.map(({ level, lower, upper }) => ({ level, lower, upper })),
    })),
    scores: model.fitted.scores.map((score) => ({
      model: protoModel(score.model),
      mase: score.mase,
      smape: score.smape,
      mae: score.mae,
      points: score.points,
    })),
    metric: query.metric,
    dimension: query.dimension,
    granularity: query.granularity,
    requestedModel: protoModel(query.model),
    historyStart: timestamp(model.historyStart),
    historyEnd: timestamp(model.fitted.origin),
    fittedAt: timestamp(model.fittedAt),
  };
}

export function backtestResponse(result: BacktestResult): proto.pulse.forecast.v1.BacktestResponse {
  const { query, reports } = result;
  return {
    metric: query.metric,
    dimension: query.dimension,
    granularity: query.granularity,
    horizon: query.horizon,
    stride: query.stride,
    origins: (reports[0]?.origins ?? []).map(timestamp),
    models: reports.map((report) => ({
      model: protoModel(report.model),
      mase: report.mase,
      smape: report.smape,
      mae: report.mae,
      points: report.points,
      coverage: report.coverage.map(({ level, coverage }) => ({ level, coverage })),
      chosen: Object.entries(report.chosen).map(([model, origins]) => ({
        model: protoModel(model as ModelChoice),
        origins: origins ?? 0,
      })),
    })),
    historyStart: timestamp(result.historyStart),
    historyEnd: timestamp(result.historyEnd),
  };
}

export function protoAlert({ alert, sequence }: StoredAlert): proto.pulse.forecast.v1.Alert {
  return {
    id: alert.id,
    metric: alert.metric,
    dimension: alert.dimension,
    granularity: alert.granularity,
    windowStart: timestamp(alert.window_start),
    windowEnd: timestamp(alert.window_end),
    severity:
      alert.severity === 'critical' ? AlertSeverity.ALERT_SEVERITY_CRITICAL : AlertSeverity.ALERT_SEVERITY_WARNING,
    direction:
      alert.direction === 'spike' ? AnomalyDirection.ANOMALY_DIRECTION_SPIKE : AnomalyDirection.ANOMALY_DIRECTION_DROP,
    actual: alert.actual,
    expected: { ...alert.expected },
    score: alert.score ?? Number.POSITIVE_INFINITY,
    model: protoModel(alert.model),
    raisedAt: timestamp(alert.raised_at),
    streamSequence: sequence,
  };
}
