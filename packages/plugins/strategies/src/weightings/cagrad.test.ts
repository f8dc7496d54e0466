import { describe, expect, it } from 'vitest';
import { combineOnce as combine, createGradientMethod as create } from './test-support.js';
import { cagrad } from './cagrad.js';

const dotp = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i]!, 0);

/** max over the circle ‖d − g0‖ = c‖g0‖ of min_i g_i·d, by scanning angles (the primal, Liu et al. eq. 2). */
function bruteForcePrimal(grads: number[][], c: number): { value: number; d: number[] } {
  const g0 = [0, 1].map((k) => grads.reduce((s, g) => s + g[k]!, 0) / grads.length);
  const r = c * Math.sqrt(dotp(g0, g0));
  let best = { value: -Infinity, d: g0 };
  for (let a = 0; a < 200_000; a++) {
    const theta = (2 * Math.PI * a) / 200_000;
    const d = [g0[0]! + r * Math.cos(theta), g0[1]! + r * Math.sin(theta)];
    const value = Math.min(...grads.map((g) => dotp(g, d)));
    if (value > best.value) best = { value, d };
  }
  return best;
}

describe('cagrad', () => {
  it('reduces to the mean gradient when c = 0', async () => {
    const grads = [[1, -2, 3], [-4, 5, 0.5], [2, 2, -1]];
    const out = await combine(create(cagrad, 3, { c: 0 }), grads);
    const mean = [0, 1, 2].map((k) => grads.reduce((s, g) => s + g[k]!, 0) / 3);
    for (let k = 0; k < 3; k++) expect(Math.abs(out[k]! - mean[k]!)).toBeLessThan(1e-6);
  });

  it('solves the primal: the update maximises the worst task improvement within the ball (2 and 3 tasks)', async () => {
    const cases = [
      [[1, 0], [-1, 1]],
      [[4, 1], [-1, 0.5]],
      [[1, 0.2], [-0.5, 1], [0.3, -0.8]],
    ];
    for (const grads of cases) {
      for (const c of [0.2, 0.5, 0.9]) {
        const d = await combine(create(cagrad, grads.length, { c, rescale: false }), grads);
        const achieved = Math.min(...grads.map((g) => dotp(g, d)));
        const best = bruteForcePrimal(grads, c);
        // The dual solution is on the circle, as the brute force is.
        const g0 = [0, 1].map((k) => grads.reduce((s, g) => s + g[k]!, 0) / grads.length);
        const radius = Math.hypot(d[0]! - g0[0]!, d[1]! - g0[1]!);
        expect(radius).toBeLessThanOrEqual(c * Math.hypot(g0[0]!, g0[1]!) * (1 + 1e-4));
        expect(Math.abs(achieved - best.value)).toBeLessThan(1e-3 * Math.max(1, Math.abs(best.value)));
      }
    }
  });

  it('rescales by 1 + c² by default', async () => {
    const grads = [[1, 0], [-1, 1]];
    const raw = await combine(create(cagrad, 2, { c: 0.5, rescale: false }), grads);
    const scaled = await combine(create(cagrad, 2, { c: 0.5 }), grads);
    expect(scaled[0]!).toBeCloseTo(raw[0]! / 1.25, 6);
    expect(scaled[1]!).toBeCloseTo(raw[1]! / 1.25, 6);
  });

  it('does not depend on the scale of the gradients', async () => {
    const grads = [[1, 0.2], [-0.5, 1], [0.3, -0.8]];
    const small = await combine(create(cagrad, 3), grads.map((g) => g.map((x) => x * 1e-4)));
    const big = await combine(create(cagrad, 3), grads);
    for (let k = 0; k < 2; k++) expect(small[k]! * 1e4).toBeCloseTo(big[k]!, 3);
  });
});
