import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng, type Backend } from '@graft/core';

/** `a [m, k] · b [k, n]` in plain JavaScript, in double precision: the reference a backend's matMul is held to. */
function referenceMatMul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) out[i * n + j]! += a[i * k + p]! * b[p * n + j]!;
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * What every backend plugin must satisfy, whether or not it is available on this machine: it describes
 * itself; unavailable, it says why and how to fix it. Where it is available (the test is skipped where it
 * is not, e.g. no GPU adapter), it registers with tfjs under its `tfBackend` name, and its matMul and the
 * matMul's gradient equal a JavaScript reference within 1e-4 (float32 accumulation over 37 terms).
 */
export function backendContract(backend: Backend): void {
  describe(`backend contract: ${backend.name}`, () => {
    it('describes itself and its capabilities', () => {
      expect(backend.name).toMatch(/^[a-z0-9-]+(\/[a-z0-9-]+)?$/);
      expect(backend.description.length).toBeGreaterThan(10);
      expect(backend.tfBackend.length).toBeGreaterThan(0);
      expect(Number.isFinite(backend.priority)).toBe(true);
      const caps = backend.capabilities();
      expect(typeof caps.trainsConvolutions).toBe('boolean');
      expect(typeof caps.trainsEmbeddings).toBe('boolean');
      expect(caps.threads).toBeGreaterThanOrEqual(1);
      expect(caps.device.length).toBeGreaterThan(0);
    });

    it('says why and how to fix it when it is not available', async () => {
      const availability = await backend.detect();
      if (!availability.available) {
        expect(availability.reason, 'reason').toBeTruthy();
        expect(availability.fix, 'fix').toBeTruthy();
      } else {
        expect(availability.reason).toBeUndefined();
      }
    });

    it('registers and computes a matMul and its gradient equal to a JavaScript reference (1e-4)', async (ctx) => {
      if (!(await backend.detect()).available) ctx.skip();
      const previous = tf.getBackend();
      try {
        await backend.init();
        expect(tf.getBackend()).toBe(backend.tfBackend);
        const [m, k, n] = [5, 37, 3];
        const rng = new Rng(5);
        const a = Float32Array.from({ length: m * k }, () => rng.next() * 2 - 1);
        const b = Float32Array.from({ length: k * n }, () => rng.next() * 2 - 1);
        const ta = tf.tensor2d(a, [m, k]);
        const tb = tf.tensor2d(b, [k, n]);
        const product = tf.matMul(ta, tb);
        expect(maxAbsDiff(await product.data(), referenceMatMul(a, b, m, k, n))).toBeLessThan(1e-4);
        // d/da Σ (a·b) = 1 [m, n] · bᵀ: every row of the gradient holds the row sums of b.
        const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.matMul(x as tf.Tensor2D, tb)))(ta);
        const rowSums = Array.from({ length: k }, (_, p) => b.slice(p * n, p * n + n).reduce((s, v) => s + v, 0));
        expect(maxAbsDiff(await grad.data(), Array.from({ length: m }, () => rowSums).flat())).toBeLessThan(1e-4);
        tf.dispose([ta, tb, product, grad]);
      } finally {
        if (previous && previous !== tf.getBackend()) await tf.setBackend(previous);
      }
    });
  });
}
