import * as tf from '@tensorflow/tfjs';
import { Rng } from '@graft/core/internal';
import { buildTinyConv } from '@graft/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { initCpuAndWebGpu, webgpuForTests } from './test-support/webgpu.js';

/** 8×8 images of a vertical (class 0) or horizontal (class 1) stroke at a random offset, with noise. */
function strokes(n: number, seed: number): { x: Float32Array; y: Float32Array } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 64);
  const y = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const at = 1 + rng.int(6);
    y[i * 2 + c] = 1;
    for (let r = 0; r < 8; r++) {
      for (let col = 0; col < 8; col++) x[i * 64 + r * 8 + col] = ((c === 0 ? col : r) === at ? 0.9 : 0.1) + (rng.next() - 0.5) * 0.2;
    }
  }
  return { x, y };
}

/**
 * `steps` Adam steps of the testing package's tiny conv net (conv → BN → ReLU, strided conv, conv) plus a
 * pooled dense head, computed with tf.variableGrads, on whichever backend is current. Returns each step's loss.
 */
async function train(steps: number): Promise<number[]> {
  const trunk = buildTinyConv(3);
  const head = tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) });
  const pool = tf.layers.globalAveragePooling2d({});
  const data = strokes(16, 5);
  const x = tf.tensor4d(data.x, [16, 8, 8, 1]);
  const y = tf.tensor2d(data.y, [16, 2]);
  const optimizer = tf.train.adam(0.02);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const { value, grads } = tf.variableGrads(() => {
      const features = trunk.apply(x, { training: true }) as tf.Tensor4D;
      const logits = head.apply(pool.apply(features)) as tf.Tensor2D;
      return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    });
    optimizer.applyGradients(grads);
    losses.push((await value.data())[0]!);
    tf.dispose([value, ...Object.values(grads)]);
  }
  tf.dispose([x, y]);
  optimizer.dispose();
  trunk.dispose();
  return losses;
}

const runs = await webgpuForTests();

describe.skipIf(!runs)('training on webgpu (Mesa llvmpipe here)', () => {
  beforeAll(initCpuAndWebGpu);

  it('trains a tiny conv net with Adam: the loss falls, step by step as on the cpu backend', async () => {
    await tf.setBackend('webgpu');
    const gpu = await train(10);
    await tf.setBackend('cpu');
    const cpu = await train(10);

    expect(gpu.every(Number.isFinite)).toBe(true);
    expect(gpu.at(-1)!).toBeLessThan(0.5 * gpu[0]!);
    // The same seeded net, data and optimiser: the trajectories agree while rounding has not yet diverged them.
    for (let step = 0; step < 3; step++) expect(Math.abs(gpu[step]! - cpu[step]!)).toBeLessThan(1e-3 * Math.max(1, cpu[step]!));
  });
});
