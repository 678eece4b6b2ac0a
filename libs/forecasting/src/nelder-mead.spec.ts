import { nelderMead } from './nelder-mead.js';

describe('nelderMead', () => {
  it('finds the minimum of a shifted quadratic bowl', () => {
    const minimum = nelderMead((x) => (x[0] - 3) ** 2 + 10 * (x[1] + 1) ** 2 + 7, [0, 0], {
      steps: [1, 1],
      tolerance: 1e-12,
    });
    expect(minimum.point[0]).toBeCloseTo(3, 4);
    expect(minimum.point[1]).toBeCloseTo(-1, 4);
    expect(minimum.value).toBeCloseTo(7, 8);
  });

  it('walks the Rosenbrock valley to (1, 1)', () => {
    const minimum = nelderMead((x) => (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2, [-1.2, 1], {
      steps: [0.5, 0.5],
      maxEvaluations: 2000,
      tolerance: 1e-14,
    });
    expect(minimum.point[0]).toBeCloseTo(1, 3);
    expect(minimum.point[1]).toBeCloseTo(1, 3);
  });

  it('stops at the evaluation budget', () => {
    const minimum = nelderMead((x) => x[0] ** 2 + x[1] ** 2 + x[2] ** 2, [5, 5, 5], {
      steps: [1, 1, 1],
      maxEvaluations: 20,
    });
    expect(minimum.evaluations).toBeLessThanOrEqual(20 + 3);
  });
});
