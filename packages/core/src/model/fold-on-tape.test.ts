import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmBackend } from '@graft/backend-wasm';
import { foldOnTape, normConstants, type FoldWeights } from './fold-on-tape.js';

beforeAll(async () => {
  await wasmBackend.init();
}, 120_000);

/** Max |a − b| over max |b|. */
function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / tf.max(tf.abs(b)).dataSync()[0]!);
}

/** The fold as plain tfjs ops, differentiated by tfjs: the reference. */
function foldByOps(w: FoldWeights, mean: tf.Tensor1D, variance: tf.Tensor1D, epsilon: number): [tf.Tensor, tf.Tensor] {
  const rstd = tf.rsqrt(tf.add(variance, epsilon));
  const s = w.gamma ? tf.mul(w.gamma, rstd) : rstd;
  const perChannel = w.depthwise ? tf.reshape(s, [w.kernel.shape[2], w.kernel.shape[3]]) : s;
  const shifted = tf.mul(w.convBias ? tf.sub(w.convBias, mean) : tf.neg(mean), s);
  return [tf.mul(w.kernel, perChannel), w.beta ? tf.add(shifted, w.beta) : shifted];
}

const parts = ['convBias', 'gamma', 'beta'] as const;
/** Every subset of the optional weights, on a conv and a depthwise kernel. */
const cases = [false, true].flatMap((depthwise) =>
  Array.from({ length: 8 }, (_, mask) => ({ depthwise, present: parts.filter((_, i) => mask & (1 << i)) })),
);

describe.each(['cpu', 'wasm'])('foldOnTape on %s', (backend) => {
  beforeAll(() => tf.setBackend(backend));

  it.each(cases)('gives the values and gradients of the fold by tfjs ops (depthwise $depthwise, with $present)', ({ depthwise, present }) => {
    const shape: [number, number, number, number] = depthwise ? [3, 3, 4, 2] : [3, 3, 4, 6];
    const out = depthwise ? 8 : 6;
    const seeded = (s: number[], seed: number, lo = -1, hi = 1) => tf.randomUniform(s, lo, hi, 'float32', seed);
    const vars = {
      kernel: tf.variable(seeded(shape, 1)),
      convBias: tf.variable(seeded([out], 2)),
      gamma: tf.variable(seeded([out], 3, 0.5, 1.5)),
      beta: tf.variable(seeded([out], 4)),
    };
    const mean = seeded([out], 5, -2, 2) as tf.Tensor1D;
    const variance = seeded([out], 6, 0.05, 2) as tf.Tensor1D;
    const weights = (): FoldWeights => ({
      kernel: vars.kernel as tf.Tensor4D,
      depthwise,
      ...Object.fromEntries(present.map((p) => [p, vars[p]])),
    });
    const trainable = [vars.kernel, ...present.map((p) => vars[p])];
    const filterWeights = seeded(shape, 7);
    const biasWeights = seeded([out], 8);
    const loss = (f: () => [tf.Tensor, tf.Tensor]) => () => {
      const [filter, bias] = f();
      return tf.add(tf.sum(tf.mul(filter, filterWeights)), tf.sum(tf.mul(bias, biasWeights))) as tf.Scalar;
    };
    const constants = normConstants(mean, variance, 1e-3);
    const viaTape = tf.variableGrads(loss(() => foldOnTape(weights(), constants)), trainable);
    const viaOps = tf.variableGrads(loss(() => foldByOps(weights(), mean, variance, 1e-3)), trainable);
    expect(Math.abs(viaTape.value.dataSync()[0]! - viaOps.value.dataSync()[0]!)).toBeLessThan(1e-5 * Math.abs(viaOps.value.dataSync()[0]!));
    for (const v of trainable) {
      expect(relativeError(viaTape.grads[v.name]!, viaOps.grads[v.name]!), v.name).toBeLessThan(1e-6);
    }
    const [filter, bias] = foldOnTape(weights(), constants);
    const [filterRef, biasRef] = foldByOps(weights(), mean, variance, 1e-3);
    expect(relativeError(filter, filterRef)).toBeLessThan(1e-6);
    expect(relativeError(bias, biasRef)).toBeLessThan(1e-6);
    tf.dispose([...Object.values(vars), mean, variance, filterWeights, biasWeights, constants.rstd, constants.shift]);
    tf.dispose([filter, bias, filterRef, biasRef, viaTape.value, viaOps.value, ...Object.values(viaTape.grads), ...Object.values(viaOps.grads)]);
  });
});
