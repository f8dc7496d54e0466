import { dot, matVec } from './gram.js';

/**
 * Weights of the two-vector min-norm problem `min_γ∈[0,1] ‖γ g1 + (1−γ) g2‖²`, in Gram terms
 * (Sener & Koltun 2018, Algorithm 1): γ = clip(((g2 − g1)·g2) / ‖g1 − g2‖², 0, 1).
 */
export function minNormPair(g11: number, g12: number, g22: number): number {
  const denominator = g11 + g22 - 2 * g12;
  if (!(denominator > 0)) return 0.5; // g1 = g2: every point of the segment is the same vector
  return Math.min(1, Math.max(0, (g22 - g12) / denominator));
}

/**
 * The min-norm point of the convex hull of T vectors given their Gram matrix, as simplex weights α.
 * Frank–Wolfe with exact line search (Sener & Koltun 2018, Algorithm 2), then a projected-gradient polish:
 * Frank–Wolfe only shrinks the weight of a vertex that should get none geometrically, which leaves the
 * optimality conditions visibly unmet after its 250 iterations. Two vectors use the closed form.
 */
export function minNormWeights(gram: readonly (readonly number[])[], maxIterations = 250, tolerance = 1e-7): number[] {
  const t = gram.length;
  if (t === 1) return [1];
  if (t === 2) {
    const gamma = minNormPair(gram[0]![0]!, gram[0]![1]!, gram[1]![1]!);
    return [gamma, 1 - gamma];
  }
  let alpha = new Array<number>(t).fill(1 / t);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const m = matVec(gram, alpha);
    // The vertex that decreases the norm fastest: argmin_r (Mα)_r.
    let r = 0;
    for (let i = 1; i < t; i++) if (m[i]! < m[r]!) r = i;
    const thetaTheta = dot(alpha, m);
    // Line search between θ = Σ α_i g_i and g_r; γ is the weight kept on θ.
    const gamma = minNormPair(thetaTheta, m[r]!, gram[r]![r]!);
    const next = alpha.map((a, i) => gamma * a + (i === r ? 1 - gamma : 0));
    const change = next.reduce((s, a, i) => s + Math.abs(a - alpha[i]!), 0);
    alpha = next;
    if (change < tolerance) break;
  }
  const scale = gram.reduce((s, row, i) => s + row[i]!, 0) / t;
  if (!(scale > 0)) return alpha;
  const m = gram.map((row) => row.map((v) => v / scale));
  return minimizeOnSimplex(
    (w) => dot(w, matVec(m, w)),
    (w) => matVec(m, w).map((x) => 2 * x),
    t,
    500,
    alpha,
  );
}

/** Euclidean projection onto the probability simplex (Duchi et al. 2008, Figure 1). */
export function projectOntoSimplex(v: readonly number[]): number[] {
  const sorted = [...v].sort((a, b) => b - a);
  let cumulative = 0;
  let theta = 0;
  for (let i = 0; i < sorted.length; i++) {
    cumulative += sorted[i]!;
    const candidate = (cumulative - 1) / (i + 1);
    if (sorted[i]! - candidate > 0) theta = candidate;
  }
  return v.map((x) => Math.max(0, x - theta));
}

/**
 * Minimise a convex function over the simplex by projected gradient descent with a backtracking step
 * (sufficient-decrease test of Beck & Teboulle 2009). T is the number of tasks, so this is cheap.
 */
export function minimizeOnSimplex(
  f: (w: number[]) => number,
  gradient: (w: number[]) => number[],
  t: number,
  maxIterations = 500,
  start?: readonly number[],
): number[] {
  let w = start ? [...start] : new Array<number>(t).fill(1 / t);
  let fw = f(w);
  let step = 1;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const g = gradient(w);
    let accepted = false;
    for (let tries = 0; tries < 60; tries++) {
      const candidate = projectOntoSimplex(w.map((x, i) => x - step * g[i]!));
      const d = candidate.map((x, i) => x - w[i]!);
      const dd = d.reduce((s, x) => s + x * x, 0);
      if (dd < 1e-24) return w;
      const fc = f(candidate);
      const bound = fw + d.reduce((s, x, i) => s + x * g[i]!, 0) + dd / (2 * step);
      if (fc <= bound + 1e-15 * Math.abs(fw)) {
        w = candidate;
        fw = fc;
        accepted = true;
        break;
      }
      step /= 2;
    }
    if (!accepted) break;
    step *= 2;
  }
  return w;
}
