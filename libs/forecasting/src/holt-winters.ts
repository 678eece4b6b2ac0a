import { nelderMead } from './nelder-mead.js';
import { type PointModel } from './point-model.js';
import { primaryPeriod } from './seasonal-periods.js';

/** α (level), β (trend, as a share of the level's change), γ (season), φ (trend damping). */
export interface SmoothingParameters {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly phi: number;
}

type Parameter = keyof SmoothingParameters;
const PARAMETERS: readonly Parameter[] = ['alpha', 'beta', 'gamma', 'phi'];

/**
 * Search box. φ reaches 1 (an undamped trend) so that a series with a steady trend keeps it; the
 * one-step SSE decides how much damping a series wants. γ is further kept below 1 − α.
 */
const BOUNDS: Readonly<Record<Parameter, readonly [number, number]>> = {
  alpha: [0.01, 0.99],
  beta: [0, 1],
  gamma: [0, 0.99],
  phi: [0.8, 1],
};

/** Coarse grid (108 points); its best point starts the Nelder-Mead refinement. */
const GRID: Readonly<Record<Parameter, readonly number[]>> = {
  alpha: [0.05, 0.2, 0.5, 0.8],
  beta: [0, 0.05, 0.2],
  gamma: [0.02, 0.1, 0.3],
  phi: [0.9, 0.98, 1],
};
const STEPS = [0.05, 0.02, 0.02, 0.01];
const MAX_EVALUATIONS = 200;

/** Level and trend after the last observed window, and the season states of the last m windows. */
interface States {
  readonly level: number;
  readonly trend: number;
  /** season[j] belongs to the window m − j steps before the next one. */
  readonly season: Float64Array;
}

/** The filter's path over the fitted history: what forecasts from earlier origins start from. */
interface Run {
  readonly levels: Float64Array;
  readonly trends: Float64Array;
  readonly errors: Float64Array;
  /** seasons[t + m] is the season state after window t; seasons[0..m) the initial ones. */
  readonly seasons: Float64Array;
}

/**
 * Additive Holt-Winters with damped trend on the primary seasonal period (the longest the history
 * covers three times). Initial states come from the first seasons (up to four): a least-squares
 * line through the season means gives level and trend, the mean detrended value per phase the
 * season. α, β, γ, φ minimize the one-step-ahead SSE: the best point of a coarse grid, refined by
 * Nelder-Mead.
 */
export function fitHoltWinters(values: readonly number[], periods: readonly number[]): PointModel {
  const period = primaryPeriod(periods, values.length);
  const initial = initialStates(values, period);
  const parameters = optimize(values, initial);
  const run = trace(values, parameters, initial);
  return new HoltWinters(
    parameters,
    run,
    finalStates(run, values.length, period),
    Array.from(run.errors.subarray(period)),
  );
}

function initialStates(values: readonly number[], period: number): States {
  const seasons = Math.min(4, Math.floor(values.length / period));
  const means = Array.from({ length: seasons }, (_, k) => mean(values.slice(k * period, (k + 1) * period)));
  const centers = means.map((_, k) => k * period + (period - 1) / 2);
  const centerMean = mean(centers);
  const meanOfMeans = mean(means);
  let covariance = 0;
  let variance = 0;
  for (let k = 0; k < seasons; k += 1) {
    covariance += (centers[k] - centerMean) * (means[k] - meanOfMeans);
    variance += (centers[k] - centerMean) ** 2;
  }
  const slope = variance > 0 ? covariance / variance : 0;
  const intercept = meanOfMeans - slope * centerMean;
  const season = new Float64Array(period);
  for (let phase = 0; phase < period; phase += 1) {
    let sum = 0;
    for (let k = 0; k < seasons; k += 1) {
      const t = k * period + phase;
      sum += values[t] - (intercept + slope * t);
    }
    season[phase] = sum / seasons;
  }
  const seasonMean = mean(Array.from(season));
  for (let phase = 0; phase < period; phase += 1) season[phase] -= seasonMean;
  // The states "after window −1": the line's value there, its slope, and the phases 0..m−1.
  return { level: intercept - slope, trend: slope, season };
}

/**
 * The recursions, from the states after window −1 (l, b, s for the phases of windows 0..m−1):
 *   ŷ_t = l + φb + s_{t−m}                       e_t = y_t − ŷ_t
 *   l'  = α(y_t − s_{t−m}) + (1 − α)(l + φb)
 *   b'  = β(l' − l) + (1 − β)φb
 *   s_t = γ(y_t − l − φb) + (1 − γ)s_{t−m}
 * Season states go to seasons[t + m] (seasons[0..m) must hold the initial ones); levels, trends
 * and errors per window go to `path` when one is given. Returns the one-step SSE.
 */
function filter(
  values: readonly number[],
  p: SmoothingParameters,
  initial: States,
  seasons: Float64Array,
  path?: Run,
): number {
  const m = initial.season.length;
  seasons.set(initial.season);
  let level = initial.level;
  let trend = initial.trend;
  let sse = 0;
  for (let t = 0; t < values.length; t += 1) {
    const y = values[t];
    const season = seasons[t];
    const damped = p.phi * trend;
    const error = y - (level + damped + season);
    sse += error * error;
    const nextLevel = p.alpha * (y - season) + (1 - p.alpha) * (level + damped);
    trend = p.beta * (nextLevel - level) + (1 - p.beta) * damped;
    seasons[t + m] = p.gamma * (y - level - damped) + (1 - p.gamma) * season;
    level = nextLevel;
    if (path) {
      path.levels[t] = level;
      path.trends[t] = trend;
      path.errors[t] = error;
    }
  }
  return sse;
}

function trace(values: readonly number[], p: SmoothingParameters, initial: States): Run {
  const n = values.length;
  const run = {
    levels: new Float64Array(n),
    trends: new Float64Array(n),
    errors: new Float64Array(n),
    seasons: new Float64Array(n + initial.season.length),
  };
  filter(values, p, initial, run.seasons, run);
  return run;
}

function optimize(values: readonly number[], initial: States): SmoothingParameters {
  // One season buffer for the few hundred runs of the search.
  const seasons = new Float64Array(values.length + initial.season.length);
  const sse = (p: SmoothingParameters) => filter(values, p, initial, seasons);
  let best = { parameters: clamp([GRID.alpha[0], GRID.beta[0], GRID.gamma[0], GRID.phi[0]]), sse: Infinity };
  for (const alpha of GRID.alpha) {
    for (const beta of GRID.beta) {
      for (const gamma of GRID.gamma) {
        for (const phi of GRID.phi) {
          const parameters = clamp([alpha, beta, gamma, phi]);
          const value = sse(parameters);
          if (value < best.sse) best = { parameters, sse: value };
        }
      }
    }
  }
  if (best.sse === 0) return best.parameters;
  // Outside the box the objective is the clamped point's SSE, raised with the distance, so the
  // simplex walks back in.
  const refined = nelderMead(
    (point) => {
      const parameters = clamp(point);
      const distance = PARAMETERS.reduce((sum, name, i) => sum + Math.abs(point[i] - parameters[name]), 0);
      return sse(parameters) * (1 + distance);
    },
    PARAMETERS.map((name) => best.parameters[name]),
    { steps: STEPS, maxEvaluations: MAX_EVALUATIONS, tolerance: 1e-6 },
  );
  const parameters = clamp(refined.point);
  return sse(parameters) < best.sse ? parameters : best.parameters;
}

function clamp(point: readonly number[]): SmoothingParameters {
  const within = (name: Parameter, x: number) => Math.min(BOUNDS[name][1], Math.max(BOUNDS[name][0], x));
  const alpha = within('alpha', point[0]);
  return {
    alpha,
    beta: within('beta', point[1]),
    gamma: Math.min(within('gamma', point[2]), 1 - alpha),
    phi: within('phi', point[3]),
  };
}

function finalStates(run: Run, n: number, period: number): States {
  return { level: run.levels[n - 1], trend: run.trends[n - 1], season: run.seasons.slice(n, n + period) };
}

class HoltWinters implements PointModel {
  readonly name = 'holt_winters';

  constructor(
    readonly parameters: SmoothingParameters,
    /** The filter over the fitted history (what forecastsAt starts from). */
    private readonly run: Run,
    /** The states after the last window seen, fitted or advanced. */
    private readonly states: States,
    readonly residuals: readonly number[],
  ) {}

  get period(): number {
    return this.states.season.length;
  }

  predict(horizon: number): number[] {
    return this.forecast(
      this.states.level,
      this.states.trend,
      (step) => this.states.season[(step - 1) % this.period],
      horizon,
    );
  }

  forecastsAt(origins: readonly number[], horizon: number): number[][] {
    const m = this.period;
    return origins.map((origin) =>
      this.forecast(
        this.run.levels[origin - 1],
        this.run.trends[origin - 1],
        (step) => this.run.seasons[origin - 1 + step - m * Math.ceil(step / m) + m],
        horizon,
      ),
    );
  }

  advance(values: readonly number[]): PointModel {
    if (values.length === 0) return this;
    const run = trace(values, this.parameters, this.states);
    return new HoltWinters(this.parameters, this.run, finalStates(run, values.length, this.period), this.residuals);
  }

  private forecast(level: number, trend: number, season: (step: number) => number, horizon: number): number[] {
    const out: number[] = [];
    let damping = 0;
    let power = 1;
    for (let step = 1; step <= horizon; step += 1) {
      power *= this.parameters.phi;
      damping += power;
      out.push(level + damping * trend + season(step));
    }
    return out;
  }
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
