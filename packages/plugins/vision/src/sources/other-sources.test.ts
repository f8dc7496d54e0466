import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { GraftError, nodeEnvironment, silentLogger, type SourceContext } from '@graft/core/internal';
import { saveLayersModel } from '../io/save-model.js';
import { mobilenetV2 } from './mobilenet-v2.js';
import { tfjsLayers } from './tfjs-layers.js';

let root: string;
let reference: tf.LayersModel;
// These sources load no other source, so loadSource is never called.
const ctx = (): SourceContext => ({ configDir: root, seed: 1, log: silentLogger, env: nodeEnvironment(), where: 'source', loadSource: () => Promise.reject(new Error('unused')) });

/** A two-bottleneck MobileNet v2 with keras.applications layer names (Sandler et al. 2018, Fig. 4). */
function tinyMobileNetV2(): tf.LayersModel {
  const L = tf.layers;
  const bn = (name: string) => L.batchNormalization({ name, epsilon: 1e-3 });
  const relu6 = (name: string) => L.reLU({ maxValue: 6, name });
  const input = tf.input({ shape: [16, 16, 3] });
  let x = L.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'Conv1' }).apply(input) as tf.SymbolicTensor;
  x = relu6('Conv1_relu').apply(bn('bn_Conv1').apply(x)) as tf.SymbolicTensor;
  x = L.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, name: 'expanded_conv_depthwise' }).apply(x) as tf.SymbolicTensor;
  x = relu6('expanded_conv_depthwise_relu').apply(bn('expanded_conv_depthwise_BN').apply(x)) as tf.SymbolicTensor;
  x = L.conv2d({ filters: 4, kernelSize: 1, useBias: false, name: 'expanded_conv_project' }).apply(x) as tf.SymbolicTensor;
  x = bn('expanded_conv_project_BN').apply(x) as tf.SymbolicTensor;
  for (const i of [1, 2]) {
    const inp = x;
    let y = L.conv2d({ filters: 8, kernelSize: 1, useBias: false, name: `block_${i}_expand` }).apply(x) as tf.SymbolicTensor;
    y = relu6(`block_${i}_expand_relu`).apply(bn(`block_${i}_expand_BN`).apply(y)) as tf.SymbolicTensor;
    y = L.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, name: `block_${i}_depthwise` }).apply(y) as tf.SymbolicTensor;
    y = relu6(`block_${i}_depthwise_relu`).apply(bn(`block_${i}_depthwise_BN`).apply(y)) as tf.SymbolicTensor;
    y = L.conv2d({ filters: 4, kernelSize: 1, useBias: false, name: `block_${i}_project` }).apply(y) as tf.SymbolicTensor;
    y = bn(`block_${i}_project_BN`).apply(y) as tf.SymbolicTensor;
    x = i === 2 ? (L.add({ name: 'block_2_add' }).apply([inp, y]) as tf.SymbolicTensor) : y;
  }
  x = L.conv2d({ filters: 12, kernelSize: 1, useBias: false, name: 'Conv_1' }).apply(x) as tf.SymbolicTensor;
  x = relu6('out_relu').apply(bn('Conv_1_bn').apply(x)) as tf.SymbolicTensor;
  const logits = L.dense({ units: 5, name: 'Logits' }).apply(L.globalAveragePooling2d({ name: 'pool' }).apply(x)) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'mobilenetv2_tiny' });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'graft-vision-sources-'));
  reference = tinyMobileNetV2();
  // Non-trivial BN statistics, so the comparison below exercises inference-mode normalisation.
  for (const layer of reference.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    const n = layer.getWeights()[0]!.shape[0]!;
    layer.setWeights([
      tf.randomUniform([n], 0.5, 1.5, 'float32', 1),
      tf.randomUniform([n], -0.5, 0.5, 'float32', 2),
      tf.randomUniform([n], -0.5, 0.5, 'float32', 3),
      tf.randomUniform([n], 0.5, 2, 'float32', 4),
    ]);
  }
  await saveLayersModel(reference, join(root, 'v2'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('vision/mobilenet-v2', () => {
  it('groups a keras.applications MobileNetV2 into stem, bottleneck blocks and top, cut at out_relu', async () => {
    const trunk = await mobilenetV2.load(mobilenetV2.options.parse({ path: 'v2' }), ctx());
    expect(trunk.groups.map((g) => g.name)).toEqual(['stem', 'block0', 'block1', 'block2', 'top']);
    expect(trunk.groups.map((g) => g.variables.length)).toEqual([3, 6, 9, 9, 3]);
    expect(trunk.featureSize).toBe(12);
    // The features are the average-pooled out_relu map of the model that was saved, computed directly.
    const image = tf.randomUniform([2, 16, 16, 3], 0, 255, 'float32', 5);
    const features = trunk.apply(trunk.preprocess({ image }), false);
    const direct = tf.model({ inputs: reference.inputs, outputs: reference.getLayer('out_relu').output as tf.SymbolicTensor });
    const want = tf.mean(direct.predict(tf.sub(tf.div(image, 127.5), 1)) as tf.Tensor4D, [1, 2]);
    expect(features.shape).toEqual([2, 12]);
    expect(tf.max(tf.abs(tf.sub(features, want))).dataSync()[0]).toBeLessThan(1e-5);
  });

  it('explains that no layers MobileNet v2 is published when neither path nor url is given', async () => {
    const e = (await mobilenetV2.load(mobilenetV2.options.parse({}), ctx()).catch((x: unknown) => x)) as GraftError;
    expect(e).toBeInstanceOf(GraftError);
    expect(e.message).toContain('Google publishes MobileNet v2 for TensorFlow.js only as graph models');
  });
});

/** A small convnet: conv → BN → ReLU → conv → pool → dense. */
function tinyConvNet(): tf.LayersModel {
  const m = tf.sequential({ name: 'tiny_conv' });
  m.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3, name: 'c1' }));
  m.add(tf.layers.batchNormalization({ name: 'bn1' }));
  m.add(tf.layers.reLU({ name: 'r1' }));
  m.add(tf.layers.conv2d({ filters: 5, kernelSize: 3, name: 'c2' }));
  m.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  m.add(tf.layers.dense({ units: 2, name: 'fc' }));
  return m;
}

describe('vision/tfjs-layers', () => {
  let conv: tf.LayersModel;
  beforeAll(async () => {
    conv = tinyConvNet();
    await saveLayersModel(conv, join(root, 'conv'));
  });

  it('cuts at a named layer with one group per weighted layer by default, reading 1-channel input', async () => {
    const trunk = await tfjsLayers.load(tfjsLayers.options.parse({ path: 'conv', cut: 'c2', scale: 'unit' }), ctx());
    expect(trunk.groups.map((g) => g.name)).toEqual(['c1', 'bn1', 'c2']);
    expect(trunk.featureSize).toBe(5);
    const image = tf.randomUniform([3, 8, 8, 1], 0, 255, 'float32', 9);
    const got = trunk.apply(trunk.preprocess({ image }), false);
    const direct = tf.model({ inputs: conv.inputs, outputs: conv.getLayer('c2').output as tf.SymbolicTensor });
    const want = tf.mean(direct.predict(tf.div(image, 255)) as tf.Tensor4D, [1, 2]);
    expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]).toBeLessThan(1e-5);
  });

  it('takes explicit groups and the whole model when no cut is given', async () => {
    const groups = [
      { name: 'low', layers: ['c1', 'bn1'] },
      { name: 'high', layers: ['c2', 'fc'] },
    ];
    const trunk = await tfjsLayers.load(tfjsLayers.options.parse({ path: 'conv', groups }), ctx());
    expect(trunk.groups.map((g) => [g.name, g.variables.length])).toEqual([['low', 4], ['high', 4]]);
    expect(trunk.featureSize).toBe(2);
  });

  it('refuses groups that leave a weighted layer out, and a config with both path and url', async () => {
    const left = await tfjsLayers
      .load(tfjsLayers.options.parse({ path: 'conv', cut: 'c2', groups: [{ name: 'low', layers: ['c1'] }] }), ctx())
      .catch((x: unknown) => x);
    expect((left as GraftError).message).toContain('Layers with weights belong to no group: bn1, c2');
    const both = await tfjsLayers
      .load(tfjsLayers.options.parse({ path: 'conv', url: 'https://example.invalid/m/model.json' }), ctx())
      .catch((x: unknown) => x);
    expect((both as GraftError).message).toContain('vision/tfjs-layers needs exactly one of `path` or `url` at source');
  });
});
