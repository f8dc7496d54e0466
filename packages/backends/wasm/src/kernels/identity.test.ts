import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initCpuAndWasm } from '../test-support/backends.js';

beforeAll(initCpuAndWasm);

describe('Identity on wasm', () => {
  it('returns the same values, and the original outlives a disposed clone', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([1, -2, 3.5, 4], [2, 2]);
    const clone = tf.clone(x);
    expect(Array.from(clone.dataSync())).toEqual([1, -2, 3.5, 4]);
    clone.dispose();
    expect(Array.from(x.dataSync())).toEqual([1, -2, 3.5, 4]);
    const before = tf.memory().numTensors;
    tf.clone(x).dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(before - 1);
  });

  it('keeps what the backward pass saved: gradients through many saved tensors stay right', async () => {
    await tf.setBackend('wasm');
    const w = tf.variable(tf.tensor1d([0.5, -1, 2]));
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(tf.square(w), tf.exp(w))), [w]);
    // d/dw (w² eʷ) = (2w + w²) eʷ
    const expected = [0.5, -1, 2].map((v) => (2 * v + v * v) * Math.exp(v));
    const got = Array.from(grads[w.name]!.dataSync());
    got.forEach((g, i) => expect(g).toBeCloseTo(expected[i]!, 4));
    tf.dispose([w, ...Object.values(grads)]);
  });
});
