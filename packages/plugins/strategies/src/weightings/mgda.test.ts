import { Rng } from '@graft/core/internal';
import { describe, expect, it } from 'vitest';
import { combineOnce as combine, createGradientMethod as create } from './test-support.js';
import { mgda } from './mgda.js';
import { minNormWeights } from './simplex.js';

const dotp = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i]!, 0);
const sub = (a: number[], b: number[]): number[] => a.map((x, i) => x - b[i]!);

/** Sener & Koltun's two-task closed form, written independently of the implementation. */
function closedForm(g1: number[], g2: number[]): number[] {
  const diff = sub(g1, g2);
  const gamma = Math.min(1, Math.max(0, dotp(sub(g2, g1), g2) / dotp(diff, diff)));
  return g1.map((x, i) => gamma * x + (1 - gamma) * g2[i]!);
}

function randomVector(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.next() * 2 - 1);
}

describe('mgda', () => {
  it('matches the closed-form two-task min-norm point on random gradients', async () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 20; trial++) {
      const g1 = randomVector(rng, 6);
      const g2 = randomVector(rng, 6).map((x) => x * 3);
      const expected = closedForm(g1, g2);
      const out = await combine(create(mgda, 2), [g1, g2]);
      for (let i = 0; i < 6; i++) expect(Math.abs(out[i]! - expected[i]!)).toBeLessThan(1e-5);
    }
  });

  it('clips to a vertex when one gradient lies inside the other\'s half-space (γ = 1 and γ = 0)', async () => {
    // g1 = (1,0), g2 = (3,0): the hull is the segment [1,3] on the x axis, min-norm point g1.
    expect(await combine(create(mgda, 2), [[1, 0], [3, 0]])).toEqual([1, 0]);
    expect(await combine(create(mgda, 2), [[3, 0], [1, 0]])).toEqual([1, 0]);
  });

  it('finds the exact min-norm point for two orthogonal gradients (hand-computed)', async () => {
    // g1 = (2,0), g2 = (0,1): γ = (g2−g1)·g2 / ‖g1−g2‖² = 1/5 → 0.2·(2,0) + 0.8·(0,1) = (0.4, 0.8).
    const out = await combine(create(mgda, 2), [[2, 0], [0, 1]]);
    expect(out[0]).toBeCloseTo(0.4, 6);
    expect(out[1]).toBeCloseTo(0.8, 6);
  });

  it('satisfies the min-norm optimality conditions for three tasks (Frank–Wolfe)', async () => {
    // d = Σ α_i g_i is the min-norm hull point iff g_i·d ≥ ‖d‖² for all i, with equality where α_i > 0.
    const rng = new Rng(5);
    for (let trial = 0; trial < 10; trial++) {
      const grads = [randomVector(rng, 5), randomVector(rng, 5), randomVector(rng, 5)];
      const m = create(mgda, 3);
      const d = await combine(m, grads);
      const alpha = await m.currentWeights();
      const dd = dotp(d, d);
      expect(alpha.reduce((s, a) => s + a, 0)).toBeCloseTo(1, 6);
      for (let i = 0; i < 3; i++) {
        expect(alpha[i]!).toBeGreaterThanOrEqual(0);
        const gap = dotp(grads[i]!, d) - dd;
        expect(gap).toBeGreaterThan(-1e-5 * Math.max(dd, 1e-3));
        if (alpha[i]! > 1e-6) expect(Math.abs(gap)).toBeLessThan(1e-5 * Math.max(dd, 1e-3));
      }
    }
  });

  it('reaches the norm of a brute-force grid search over the 3-simplex', () => {
    const grads = [[1, 2, 0], [-1, 0.5, 1], [0.5, -1, 0.2]];
    const gram = grads.map((a) => grads.map((b) => dotp(a, b)));
    const alpha = minNormWeights(gram);
    const norm = (w: number[]): number => {
      const v = grads[0]!.map((_, k) => w.reduce((s, wi, i) => s + wi * grads[i]![k]!, 0));
      return dotp(v, v);
    };
    let best = Infinity;
    const steps = 400;
    for (let i = 0; i <= steps; i++) for (let j = 0; i + j <= steps; j++) best = Math.min(best, norm([i / steps, j / steps, (steps - i - j) / steps]));
    expect(norm(alpha)).toBeLessThanOrEqual(best + 1e-6);
    expect(norm(alpha)).toBeGreaterThan(best - 1e-3);
  });

  it('applies the weights found on normalised gradients to the raw ones (normalize: l2)', async () => {
    // Normalised: (1,0) and (0,1) → α = (½, ½); applied to raw g1 = (4,0), g2 = (0,1): (2, 0.5).
    const out = await combine(create(mgda, 2, { normalize: 'l2' }), [[4, 0], [0, 1]]);
    expect(out[0]).toBeCloseTo(2, 5);
    expect(out[1]).toBeCloseTo(0.5, 5);
  });
});
