import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { GraftError } from '../errors.js';
import { layersTrunk } from './layers-trunk.js';

function chainModel() {
  const input = tf.input({ shape: [6, 6, 2] });
  let x = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'c1', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', name: 'c2', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('layersTrunk', () => {
  it('splits a chain at a group boundary so that suffix(prefix(x)) equals the whole trunk (within 1e-6)', () => {
    const trunk = layersTrunk({ model: chainModel(), groups: [{ name: 'a', layers: ['c1', 'bn1'] }, { name: 'b', layers: ['c2'] }] });
    const split = trunk.split!(1)!;
    expect(split).toBeDefined();
    const x = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 3);
    const whole = trunk.apply({ image: x }, false);
    const parts = split.suffix(split.prefix({ image: x }), false);
    expect(parts.shape).toEqual([2, 4]);
    expect(tf.max(tf.abs(tf.sub(whole, parts))).dataSync()[0]).toBeLessThan(1e-6);
    expect(trunk.split!(0)).toBeUndefined();
  });

  it('folds BatchNorm into the convolution in inference mode, within 1e-5 of the layers model', () => {
    const model = chainModel();
    const trunk = layersTrunk({ model, groups: [{ name: 'a', layers: ['c1', 'bn1'] }, { name: 'b', layers: ['c2'] }] });
    const x = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 5);
    const kernels: string[] = [];
    const original = tf.engine().runKernel.bind(tf.engine());
    tf.engine().runKernel = (name, inputs, attrs) => (kernels.push(name), original(name, inputs, attrs));
    const features = tf.tidy(() => trunk.apply({ image: x }, false));
    tf.engine().runKernel = original;
    expect(kernels).not.toContain('FusedBatchNorm');
    const reference = tf.tidy(() => tf.mean(model.predict(x) as tf.Tensor, [1, 2]));
    expect(tf.max(tf.abs(tf.sub(features, reference))).dataSync()[0]).toBeLessThan(1e-5);
  });

  it('offers no split for a model that is not a chain', () => {
    const input = tf.input({ shape: [4] });
    const a = tf.layers.dense({ units: 3, name: 'a' }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 3, name: 'b' }).apply(input) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([a, b]) as tf.SymbolicTensor;
    const trunk = layersTrunk({ model: tf.model({ inputs: input, outputs: sum }), groups: [{ name: 'a', layers: ['a'] }, { name: 'b', layers: ['b'] }], inputName: 'features' });
    expect(trunk.split!(1)).toBeUndefined();
  });

  it('keeps BatchNorm of a group in inference mode when asked, whatever the training flag', () => {
    const trunk = layersTrunk({ model: chainModel(), groups: [{ name: 'a', layers: ['c1', 'bn1'] }, { name: 'b', layers: ['c2'] }] });
    const x = tf.randomNormal([4, 6, 6, 2], 0, 1, 'float32', 4);
    const inference = trunk.apply({ image: x }, false).dataSync();
    expect(trunk.apply({ image: x }, true).dataSync()).not.toEqual(inference);
    trunk.groups[0]!.setNormInference!(true);
    const before = trunk.apply({ image: x }, false).dataSync();
    const statistics = () => trunk.weights().filter((w) => w.key.startsWith('bn1/')).map((w) => Array.from(w.variable.dataSync()));
    const statisticsBefore = statistics();
    // Training mode now computes what inference mode does, and leaves the running statistics alone.
    expect(trunk.apply({ image: x }, true).dataSync()).toEqual(before);
    expect(trunk.apply({ image: x }, false).dataSync()).toEqual(before);
    expect(statistics()).toEqual(statisticsBefore);
  });

  it('refuses groups that name missing layers or leave weights out', () => {
    expect(() => layersTrunk({ model: chainModel(), groups: [{ name: 'a', layers: ['c1', 'bn9'] }] })).toThrow(GraftError);
    expect(() => layersTrunk({ model: chainModel(), groups: [{ name: 'a', layers: ['c1', 'bn1'] }] })).toThrow(/GRAFT_MODEL_LOAD: Layers with weights belong to no group: c2/);
  });
});
