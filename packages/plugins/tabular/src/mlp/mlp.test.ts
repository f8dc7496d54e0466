import * as tf from '@tensorflow/tfjs';
import { Rng, nodeEnvironment, silentLogger, type SourceContext } from '@graft/core/internal';
import { sourceContract } from '@graft/testing/contracts';
import { describe, expect, it } from 'vitest';
import { mlpOptionsSchema, mlpSource } from './source.js';
import { mlpTrunk } from './trunk.js';

const ctx = (over: Partial<Omit<SourceContext, 'loadSource'>> = {}): SourceContext => ({
  configDir: '.',
  seed: 5,
  log: silentLogger,
  env: nodeEnvironment(),
  where: 'source',
  inputShape: [4],
  loadSource: () => Promise.reject(new Error('tabular/mlp loads no nested source')),
  ...over,
});

sourceContract(mlpSource, {
  options: mlpOptionsSchema.parse({ hidden: [8, 6], dropout: 0.2 }),
  sampleInputs: () => ({ features: tf.randomNormal([3, 4], 0, 1, 'float32', 1) }),
  context: { inputShape: [4] },
});

describe('tabular/mlp', () => {
  it('defaults to hidden [64, 32], relu, no dropout, one group per hidden layer', async () => {
    const options = mlpOptionsSchema.parse({});
    expect(options).toEqual({ hidden: [64, 32], dropout: 0, activation: 'relu' });
    const trunk = await mlpSource.load(options, ctx());
    expect(trunk.groups.map((g) => g.name)).toEqual(['dense0', 'dense1']);
    expect(trunk.featureSize).toBe(32);
    expect(trunk.inputNames).toEqual(['features']);
    expect(trunk.weights().map((w) => [w.key, w.variable.shape])).toEqual([
      ['mlp/dense0/kernel', [4, 64]],
      ['mlp/dense0/bias', [64]],
      ['mlp/dense1/kernel', [64, 32]],
      ['mlp/dense1/bias', [32]],
    ]);
    trunk.dispose();
  });

  it('computes act(x W + b) layer by layer (checked against plain loops)', () => {
    const trunk = mlpTrunk({ inputSize: 3, hidden: [4, 2], dropout: 0, activation: 'tanh', seed: 9 });
    const w = trunk.weights().map((v) => ({ shape: v.variable.shape, data: Array.from(v.variable.dataSync()) }));
    const x = [
      [0.5, -1, 2],
      [1.5, 0.25, -0.75],
    ];
    const reference = x.map((row) => {
      let h = row;
      for (let l = 0; l < 2; l++) {
        const kernel = w[2 * l]!;
        const bias = w[2 * l + 1]!;
        const out = kernel.shape[1]!;
        h = Array.from({ length: out }, (_, j) => Math.tanh(h.reduce((s, xi, i) => s + xi * kernel.data[i * out + j]!, 0) + bias.data[j]!));
      }
      return h;
    });
    const out = tf.tidy(() => trunk.apply(trunk.preprocess({ features: tf.tensor2d(x) }), false).arraySync());
    out.forEach((row, r) => row.forEach((v, j) => expect(v).toBeCloseTo(reference[r]![j]!, 5)));
    trunk.dispose();
  });

  it('initialises from the run seed: same seed, same weights; another seed, other weights', async () => {
    const values = async (seed: number) => {
      const t = await mlpSource.load(mlpOptionsSchema.parse({ hidden: [5] }), ctx({ seed }));
      const v = Array.from(t.weights()[0]!.variable.dataSync());
      t.dispose();
      return v;
    };
    expect(await values(1)).toEqual(await values(1));
    expect(await values(1)).not.toEqual(await values(2));
  });

  it('drops units only while training', () => {
    const trunk = mlpTrunk({ inputSize: 4, hidden: [200], dropout: 0.5, activation: 'relu', seed: 1 });
    const x = tf.ones([2, 4]);
    const evalA = trunk.apply({ features: x }, false).dataSync();
    const evalB = trunk.apply({ features: x }, false).dataSync();
    expect(Array.from(evalA)).toEqual(Array.from(evalB));
    const train = trunk.apply({ features: x }, true).dataSync();
    const zeroed = Array.from(train).filter((v, i) => v === 0 && evalA[i]! > 0).length;
    const active = Array.from(evalA).filter((v) => v > 0).length;
    expect(zeroed / active).toBeGreaterThan(0.3);
    expect(zeroed / active).toBeLessThan(0.7);
    trunk.dispose();
  });

  it('takes the input size from the data, and says what is wrong otherwise', async () => {
    await expect(mlpSource.load(mlpOptionsSchema.parse({}), ctx({ inputShape: undefined }))).rejects.toThrowErrorMatchingInlineSnapshot(
      `[GraftError: GRAFT_CONFIG_INVALID: tabular/mlp does not know how many input features to expect at source. Set \`inputSize\`, or give the first task a tabular dataset.]`,
    );
    await expect(mlpSource.load(mlpOptionsSchema.parse({}), ctx({ inputShape: [28, 28, 1] }))).rejects.toThrowError(
      /reads one flat feature vector per row, but the dataset's input has shape \[28, 28, 1\]/,
    );
    await expect(mlpSource.load(mlpOptionsSchema.parse({ inputSize: 5 }), ctx())).rejects.toThrowError(/inputSize 5 but the dataset has 4 features per row/);
    const trunk = await mlpSource.load(mlpOptionsSchema.parse({ inputSize: 4 }), ctx({ inputShape: undefined }));
    expect(() => trunk.apply({ features: tf.ones([2, 3]) }, false)).toThrowError(/built for 4 features per row but got a batch of shape \[2, 3\]/);
    trunk.dispose();
    expect(mlpOptionsSchema.safeParse({ activation: 'swish' }).success).toBe(false);
    expect(mlpOptionsSchema.safeParse({ hidden: [] }).success).toBe(false);
  });

  it('learns XOR with a linear head (the loss falls)', () => {
    const trunk = mlpTrunk({ inputSize: 2, hidden: [16, 8], dropout: 0, activation: 'tanh', seed: 3 });
    const rng = new Rng(4);
    const head = tf.variable(tf.randomNormal([8, 1], 0, 0.1, 'float32', rng.seed()));
    const x = tf.tensor2d([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = tf.tensor2d([[0], [1], [1], [0]]);
    const vars = [...trunk.groups.flatMap((g) => g.variables), head];
    const loss = () => tf.losses.sigmoidCrossEntropy(y, tf.matMul(trunk.apply({ features: x }, true), head)) as tf.Scalar;
    const before = loss().dataSync()[0]!;
    const optimizer = tf.train.adam(0.05);
    for (let i = 0; i < 300; i++) optimizer.minimize(loss, false, vars);
    const after = loss().dataSync()[0]!;
    expect(after).toBeLessThan(before * 0.1);
    const predicted = Array.from(tf.sigmoid(tf.matMul(trunk.apply({ features: x }, false), head)).dataSync()).map((p) => (p > 0.5 ? 1 : 0));
    expect(predicted).toEqual([0, 1, 1, 0]);
    trunk.dispose();
  });
});
