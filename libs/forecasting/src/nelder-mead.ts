/**
 * Nelder-Mead downhill simplex, the local refinement of Holt-Winters' grid search. Written here
 * because ml-matrix has linear algebra but no optimizer, and the job is small: four bounded
 * parameters, a cheap objective without gradients, a good start from the grid. Bounds are the
 * objective's business (it can clamp and penalize).
 */
export interface NelderMeadOptions {
  /** Initial simplex: the start plus `steps[i]` along each axis. */
  readonly steps: readonly number[];
  readonly maxEvaluations?: number;
  /** Stop when the simplex's values differ by at most this, relative to the best. */
  readonly tolerance?: number;
}

export interface Minimum {
  readonly point: number[];
  readonly value: number;
  readonly evaluations: number;
}

export function nelderMead(
  objective: (point: readonly number[]) => number,
  start: readonly number[],
  options: NelderMeadOptions,
): Minimum {
  const maxEvaluations = options.maxEvaluations ?? 200 * start.length;
  const tolerance = options.tolerance ?? 1e-8;
  let evaluations = 0;
  const evaluate = (point: number[]): Vertex => {
    evaluations += 1;
    return { point, value: objective(point) };
  };
  const simplex: Vertex[] = [evaluate([...start])];
  for (let i = 0; i < start.length; i += 1) {
    const point = [...start];
    point[i] += options.steps[i];
    simplex.push(evaluate(point));
  }

  while (evaluations < maxEvaluations) {
    simplex.sort((a, b) => a.value - b.value);
    const best = simplex[0];
    const worst = simplex[simplex.length - 1];
    if (worst.value - best.value <= tolerance * (Math.abs(best.value) + 1e-12)) break;

    const centroid = start.map((_, d) => simplex.slice(0, -1).reduce((sum, v) => sum + v.point[d], 0) / start.length);
    const along = (factor: number) => centroid.map((c, d) => c + factor * (worst.point[d] - c));
    const reflected = evaluate(along(-1));
    if (reflected.value < best.value) {
      const expanded = evaluate(along(-2));
      simplex[simplex.length - 1] = expanded.value < reflected.value ? expanded : reflected;
    } else if (reflected.value < simplex[simplex.length - 2].value) {
      simplex[simplex.length - 1] = reflected;
    } else {
      const contracted = reflected.value < worst.value ? evaluate(along(-0.5)) : evaluate(along(0.5));
      if (contracted.value < Math.min(worst.value, reflected.value)) {
        simplex[simplex.length - 1] = contracted;
      } else {
        for (let i = 1; i < simplex.length; i += 1) {
          simplex[i] = evaluate(simplex[i].point.map((x, d) => best.point[d] + 0.5 * (x - best.point[d])));
        }
      }
    }
  }
  simplex.sort((a, b) => a.value - b.value);
  return { point: simplex[0].point, value: simplex[0].value, evaluations };
}

interface Vertex {
  readonly point: number[];
  readonly value: number;
}
