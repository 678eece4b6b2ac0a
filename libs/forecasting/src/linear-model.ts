import { CholeskyDecomposition, Matrix, solve } from 'ml-matrix';

import { type PointModel } from './point-model.js';
import { fourierPeriods, shortestPeriod } from './seasonal-periods.js';

/**
 * Harmonics per seasonal period: 3 (fewer for periods under 7 steps, so that no harmonic reaches
 * the Nyquist frequency). Three pairs draw a daily profile with a morning rise and an evening peak
 * and a weekday/weekend difference in the weekly one without chasing noise; a sharper shape is
 * Holt-Winters' job.
 */
const MAX_HARMONICS = 3;

/** Ridge penalties tried on the validation tail; the penalty is λ · rows · ‖β‖² (intercept free). */
const LAMBDAS = [0, 1e-4, 1e-3, 1e-2, 1e-1, 1];
/** Used when the history is too short to hold out a validation tail. */
const DEFAULT_LAMBDA = 1e-3;

/** sin and cos of 2π · harmonic · t / period. */
interface FourierTerm {
  readonly period: number;
  readonly harmonic: number;
}

/**
 * The harmonics 1..K of every period, each frequency once: periods that divide each other share
 * some (the 2nd of 24 is the 1st of 12), and two equal columns would leave XᵀX singular.
 */
function fourierTerms(periods: readonly number[]): FourierTerm[] {
  const terms: FourierTerm[] = [];
  for (const period of periods) {
    const harmonics = Math.min(MAX_HARMONICS, Math.floor((period - 1) / 2));
    for (let harmonic = 1; harmonic <= harmonics; harmonic += 1) {
      if (!terms.some((term) => term.harmonic * period === harmonic * term.period)) terms.push({ period, harmonic });
    }
  }
  return terms;
}

/**
 * Features of window t: intercept, trend t / scale, and sin/cos(2πkt/p) for every Fourier term.
 * The trend is scaled by the fitted length so that its column is about as large as the others.
 */
class Design {
  readonly width: number;
  /** The rows of the fitted history, computed once: every prefix refit reads them again. */
  private cache = new Float64Array(0);
  private cached = 0;

  constructor(
    readonly terms: readonly FourierTerm[],
    /** Windows of the fitted history: the trend's scale and the extent of the row cache. */
    readonly length: number,
  ) {
    this.width = 2 + 2 * terms.length;
  }

  /** Row t of the fitted history, from the cache. */
  cachedRow(t: number): Float64Array {
    if (this.cached === 0) this.fillCache();
    return this.cache.subarray(t * this.width, (t + 1) * this.width);
  }

  row(t: number, out: Float64Array): Float64Array {
    out[0] = 1;
    out[1] = t / this.length;
    let j = 2;
    for (const { period, harmonic } of this.terms) {
      const angle = (2 * Math.PI * harmonic * t) / period;
      out[j] = Math.sin(angle);
      out[j + 1] = Math.cos(angle);
      j += 2;
    }
    return out;
  }

  predict(coefficients: Float64Array, from: number, horizon: number): number[] {
    const row = new Float64Array(this.width);
    return Array.from({ length: horizon }, (_, i) => {
      const t = from + i;
      return dot(t < this.length ? this.cachedRow(t) : this.row(t, row), coefficients);
    });
  }

  private fillCache(): void {
    this.cache = new Float64Array(this.length * this.width);
    for (let t = 0; t < this.length; t += 1) this.row(t, this.cache.subarray(t * this.width, (t + 1) * this.width));
    this.cached = this.length;
  }
}

/** XᵀX and Xᵀy accumulated row by row, so that prefixes of the history cost one pass in total. */
class NormalEquations {
  private readonly gram: Float64Array;
  private readonly moment: Float64Array;
  rows = 0;

  constructor(private readonly design: Design) {
    this.gram = new Float64Array(design.width * design.width);
    this.moment = new Float64Array(design.width);
  }

  addRows(values: readonly number[], until: number): void {
    const w = this.design.width;
    for (; this.rows < until; this.rows += 1) {
      const x = this.design.cachedRow(this.rows);
      const y = values[this.rows];
      for (let i = 0; i < w; i += 1) {
        this.moment[i] += x[i] * y;
        for (let j = 0; j <= i; j += 1) this.gram[i * w + j] += x[i] * x[j];
      }
    }
  }

  /** Ridge solution (XᵀX + λ·n·D) β = Xᵀy, D = identity without the intercept, by ml-matrix. */
  solve(lambda: number): Float64Array {
    const w = this.design.width;
    const a = new Matrix(w, w);
    for (let i = 0; i < w; i += 1) {
      for (let j = 0; j <= i; j += 1) {
        a.set(i, j, this.gram[i * w + j]);
        a.set(j, i, this.gram[i * w + j]);
      }
      if (i > 0) a.set(i, i, a.get(i, i) + lambda * this.rows);
    }
    const b = Matrix.columnVector(this.moment);
    const cholesky = new CholeskyDecomposition(a);
    // Without a penalty XᵀX can still be singular (fewer rows than a season's harmonics need);
    // the SVD solve then gives the least-squares solution of least norm.
    const beta = cholesky.isPositiveDefinite() ? cholesky.solve(b) : solve(a, b, true);
    return Float64Array.from(beta.getColumn(0));
  }
}

/**
 * Ridge-regularized least squares on trend + Fourier terms of every seasonal period the history
 * covers twice. λ is the one of LAMBDAS with the lowest MAE on a held-out tail (the last fifth, at
 * least one season), then the model is refitted on the whole history.
 */
export function fitLinear(values: readonly number[], periods: readonly number[]): PointModel {
  const n = values.length;
  const design = new Design(fourierTerms(fourierPeriods(periods, n)), n);
  const equations = new NormalEquations(design);
  const lambda = chooseLambda(values, design, equations, shortestPeriod(periods));
  equations.addRows(values, n);
  const coefficients = equations.solve(lambda);
  const fitted = design.predict(coefficients, 0, n);
  return new LinearModel(
    design,
    lambda,
    coefficients,
    values,
    values.map((y, t) => y - fitted[t]),
  );
}

function chooseLambda(values: readonly number[], design: Design, equations: NormalEquations, season: number): number {
  const n = values.length;
  const train = n - Math.max(season, Math.round(n / 5));
  if (train < Math.max(2 * season, design.width + 2)) return DEFAULT_LAMBDA;
  equations.addRows(values, train);
  let best = { lambda: DEFAULT_LAMBDA, error: Number.POSITIVE_INFINITY };
  for (const lambda of LAMBDAS) {
    const forecast = design.predict(equations.solve(lambda), train, n - train);
    const error = forecast.reduce((sum, f, i) => sum + Math.abs(values[train + i] - f), 0);
    if (error < best.error) best = { lambda, error };
  }
  return best.lambda;
}

class LinearModel implements PointModel {
  readonly name = 'linear';

  constructor(
    private readonly design: Design,
    readonly lambda: number,
    private readonly coefficients: Float64Array,
    private readonly history: readonly number[],
    readonly residuals: readonly number[],
  ) {}

  predict(horizon: number): number[] {
    return this.design.predict(this.coefficients, this.history.length, horizon);
  }

  forecastsAt(origins: readonly number[], horizon: number): number[][] {
    const equations = new NormalEquations(this.design);
    return origins.map((origin) => {
      equations.addRows(this.history, origin);
      return this.design.predict(equations.solve(this.lambda), origin, horizon);
    });
  }

  advance(values: readonly number[]): PointModel {
    return new LinearModel(this.design, this.lambda, this.coefficients, [...this.history, ...values], this.residuals);
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += a[i] * b[i];
  return sum;
}
