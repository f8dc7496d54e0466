import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initCpuAndWasm, randomValues, relativeError, seededWeights } from './test-support/backends.js';
import { tinyBertLogits, tinyBertParameterShapes, type TinyBertShape } from './test-support/bert.js';
import { mobilenetV1 } from './test-support/mobilenet.js';

/**
 * Whole-step parity: every variable's gradient on wasm against the cpu backend. Float32 rounding
 * differs between XNNPACK and the cpu backend's loops and compounds through the depth; some
 * gradients (BatchNorm scales, whose sums cancel heavily) are ill-conditioned, so that the cpu
 * backend's own result moves by ~1e-4 when the weights move by 1e-6. Each gradient must be within
 * 1e-4 of the cpu backend's, or within 10× of that measured sensitivity where it is larger. A wrong
 * kernel gives errors of order 1.
 */
const STEP_TOLERANCE = 1e-4;
const CONDITIONING_FACTOR = 10;

beforeAll(initCpuAndWasm);

const SIZE = 32;
const BATCH = 4;
const CLASSES = 5;

function mobilenetBatch(): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const x = tf.tensor4d(randomValues(BATCH * SIZE * SIZE * 3, 41), [BATCH, SIZE, SIZE, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 3, 1, 4], 'int32'), CLASSES) as tf.Tensor2D;
  return { x, y };
}

interface StepResult {
  loss: number;
  grads: Float32Array[];
}

/** One training-mode forward/backward of MobileNet with the given weights on `backend`. */
async function mobilenetGradients(backend: string, blocks: number, weights: Float32Array[]): Promise<StepResult> {
  await tf.setBackend(backend);
  const model = mobilenetV1(tf, { size: SIZE, alpha: 0.25, classes: CLASSES, blocks });
  model.setWeights(model.weights.map((w, i) => tf.tensor(weights[i]!, w.shape as number[])));
  const { x, y } = mobilenetBatch();
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
    variables,
  );
  const result = {
    loss: value.dataSync()[0]!,
    grads: variables.map((v) => grads[v.name]!.dataSync() as Float32Array),
  };
  tf.dispose([value, x, y, ...Object.values(grads)]);
  model.dispose();
  return result;
}

async function weightsFor(blocks: number): Promise<{ weights: Float32Array[]; trainable: number }> {
  await tf.setBackend('cpu');
  const model = mobilenetV1(tf, { size: SIZE, alpha: 0.25, classes: CLASSES, blocks });
  const result = { weights: seededWeights(model, 1000), trainable: model.trainableWeights.length };
  model.dispose();
  return result;
}

/** Indices of the variables whose wasm gradient is further from cpu's than the tolerance allows. */
function outOfTolerance(wasm: StepResult, cpu: StepResult, nudgedCpu: StepResult): string[] {
  const bad: string[] = [];
  wasm.grads.forEach((g, i) => {
    const error = relativeError(g, cpu.grads[i]!);
    const sensitivity = relativeError(nudgedCpu.grads[i]!, cpu.grads[i]!);
    if (!(error <= Math.max(STEP_TOLERANCE, CONDITIONING_FACTOR * sensitivity))) {
      bad.push(`#${i}: ${error.toExponential(2)} (cpu sensitivity ${sensitivity.toExponential(2)})`);
    }
  });
  return bad;
}

describe('a MobileNet v1 training step on wasm', () => {
  it.each([5, 13])('gives the gradients of all variables that the cpu backend gives (%i blocks)', async (blocks) => {
    const { weights, trainable } = await weightsFor(blocks);
    const cpu = await mobilenetGradients('cpu', blocks, weights);
    const nudged = await mobilenetGradients('cpu', blocks, weights.map((w) => w.map((v) => v * (1 + 1e-6))));
    const wasm = await mobilenetGradients('wasm', blocks, weights);
    expect(wasm.grads).toHaveLength(trainable);
    expect(Math.abs(wasm.loss - cpu.loss) / Math.abs(cpu.loss)).toBeLessThanOrEqual(1e-4);
    expect(outOfTolerance(wasm, cpu, nudged)).toEqual([]);
  });

  it('lowers the loss over a few Adam steps', async () => {
    await tf.setBackend('wasm');
    const model = mobilenetV1(tf, { size: SIZE, alpha: 0.25, classes: CLASSES });
    const optimizer = tf.train.adam(3e-3);
    const { x, y } = mobilenetBatch();
    const losses: number[] = [];
    for (let step = 0; step < 8; step++) {
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        true,
      )!;
      losses.push(loss.dataSync()[0]!);
      loss.dispose();
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]!).toBeLessThan(0.5 * losses[0]!);
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });
});

describe('a BERT-style training step on wasm', () => {
  const shape: TinyBertShape = { vocab: 40, width: 16, heads: 2, sequence: 6, classes: 3 };
  const tokens = [
    [1, 5, 7, 7, 2, 0],
    [1, 9, 39, 3, 2, 0],
  ];

  async function bertGradients(backend: string): Promise<{ loss: number; grads: Float32Array[] }> {
    await tf.setBackend(backend);
    const shapes = tinyBertParameterShapes(shape);
    const params: Record<string, tf.Variable> = {};
    Object.entries(shapes).forEach(([name, s], i) => {
      const n = s.reduce((a, b) => a * b, 1);
      const init = name.endsWith('Gamma') ? new Float32Array(n).fill(1) : randomValues(n, 100 + i).map((v) => 0.5 * v);
      params[name] = tf.variable(tf.tensor(init, s), true, `${backend}_${name}`);
    });
    const ids = tf.tensor2d(tokens, undefined, 'int32');
    const y = tf.oneHot(tf.tensor1d([2, 0], 'int32'), shape.classes);
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(y, tinyBertLogits(tf, shape, params, ids)) as tf.Scalar,
      Object.values(params),
    );
    const result = {
      loss: value.dataSync()[0]!,
      grads: Object.values(params).map((v) => grads[v.name]!.dataSync() as Float32Array),
    };
    tf.dispose([value, ids, y, ...Object.values(grads), ...Object.values(params)]);
    return result;
  }

  it('gives the gradients of all parameters, embeddings included, that the cpu backend gives', async () => {
    const cpu = await bertGradients('cpu');
    const wasm = await bertGradients('wasm');
    expect(Math.abs(wasm.loss - cpu.loss) / Math.abs(cpu.loss)).toBeLessThanOrEqual(1e-5);
    const errors = wasm.grads.map((g, i) => relativeError(g, cpu.grads[i]!));
    expect(Math.max(...errors)).toBeLessThanOrEqual(STEP_TOLERANCE);
    // The token embedding's gradient is non-zero exactly on the rows of the tokens used.
    const used = new Set(tokens.flat());
    const tokenGrad = wasm.grads[0]!;
    for (let row = 0; row < shape.vocab; row++) {
      const norm = tokenGrad.subarray(row * shape.width, (row + 1) * shape.width).reduce((a, v) => a + Math.abs(v), 0);
      expect(norm > 0).toBe(used.has(row));
    }
  });
});
