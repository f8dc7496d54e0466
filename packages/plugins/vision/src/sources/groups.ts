import type * as tf from '@tensorflow/tfjs';

/** Named layer groups, input → output, as `layersTrunk` takes them. */
export type GroupSpec = { name: string; layers: string[] };

/**
 * MobileNet v1 (Howard et al. 2017, Table 1) as `stem` (the first full convolution, its BN and ReLU)
 * and `block1` … `block13` (depthwise conv, BN, ReLU, pointwise conv, BN, ReLU; plus the padding layer
 * newer Keras versions add). Only layers present in `model` (cut at the feature layer) are listed.
 */
export function mobilenetV1Groups(model: tf.LayersModel): GroupSpec[] {
  return groupsByPattern(model, [
    { name: 'stem', match: (n) => /^conv1(_bn|_relu|_pad)?$/.test(n) },
    ...range(1, 13).map((i) => ({ name: `block${i}`, match: (n: string) => new RegExp(`^conv_(dw|pw|pad)_${i}(_bn|_relu)?$`).test(n) })),
  ]);
}

/**
 * MobileNet v2 (Sandler et al. 2018, Table 2) with keras.applications layer names: `stem` (Conv1,
 * bn_Conv1, Conv1_relu), `block0` (the first bottleneck, `expanded_conv_*`), `block1` … `block16`
 * (`block_i_*`: expand, depthwise, project, their BNs, ReLUs, padding and residual add) and `top`
 * (Conv_1, Conv_1_bn, out_relu).
 */
export function mobilenetV2Groups(model: tf.LayersModel): GroupSpec[] {
  return groupsByPattern(model, [
    { name: 'stem', match: (n) => /^(Conv1|bn_Conv1|Conv1_relu|Conv1_pad)$/.test(n) },
    { name: 'block0', match: (n) => n.startsWith('expanded_conv_') },
    ...range(1, 16).map((i) => ({ name: `block${i}`, match: (n: string) => n.startsWith(`block_${i}_`) })),
    { name: 'top', match: (n) => /^(Conv_1|Conv_1_bn|out_relu)$/.test(n) },
  ]);
}

/** One group per layer that has weights, named after the layer: the default for an unknown architecture. */
export function perLayerGroups(model: tf.LayersModel): GroupSpec[] {
  return model.layers.filter((l) => l.weights.length > 0).map((l) => ({ name: l.name, layers: [l.name] }));
}

function groupsByPattern(model: tf.LayersModel, patterns: { name: string; match: (layer: string) => boolean }[]): GroupSpec[] {
  return patterns
    .map(({ name, match }) => ({ name, layers: model.layers.map((l) => l.name).filter(match) }))
    .filter((g) => g.layers.length > 0);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
