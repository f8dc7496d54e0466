import type * as tfjs from '@tensorflow/tfjs';

export interface MobileNetOptions {
  /** Input height and width. */
  size: number;
  /** Width multiplier. @default 0.25 */
  alpha?: number;
  /** @default 10 */
  classes?: number;
  /** Depthwise-separable blocks to keep (of 13), for smaller test models. @default 13 */
  blocks?: number;
}

/**
 * MobileNet v1 (Howard et al., 2017, Table 1) as Keras builds it: 3×3/2 conv, then depthwise
 * separable blocks (3×3 depthwise + BatchNorm + ReLU6, 1×1 conv + BatchNorm + ReLU6) with strides
 * 1 and 2, global average pooling and a dense classifier. Takes `tf` so the bench can pass its own.
 */
export function mobilenetV1(tf: typeof tfjs, options: MobileNetOptions): tfjs.LayersModel {
  const alpha = options.alpha ?? 0.25;
  const input = tf.input({ shape: [options.size, options.size, 3] });
  const width = (n: number): number => Math.max(1, Math.round(n * alpha));
  // Activation 'relu6' (min(6, relu(x))) as in the Keras model tfjs loads, not the ReLU layer with
  // maxValue (clipByValue): the two have different kernels and gradients.
  const bnRelu6 = (t: tfjs.SymbolicTensor): tfjs.SymbolicTensor =>
    tf.layers
      .activation({ activation: 'relu6' })
      .apply(tf.layers.batchNormalization({ epsilon: 1e-3 }).apply(t)) as tfjs.SymbolicTensor;
  let x = bnRelu6(
    tf.layers.conv2d({ filters: width(32), kernelSize: 3, strides: 2, padding: 'same', useBias: false }).apply(input) as tfjs.SymbolicTensor,
  );
  const blocks: Array<[number, number]> = [
    [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
    [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
  ];
  for (const [filters, strides] of blocks.slice(0, options.blocks ?? blocks.length)) {
    x = bnRelu6(
      tf.layers.depthwiseConv2d({ kernelSize: 3, strides, padding: 'same', useBias: false }).apply(x) as tfjs.SymbolicTensor,
    );
    x = bnRelu6(
      tf.layers.conv2d({ filters: width(filters), kernelSize: 1, padding: 'same', useBias: false }).apply(x) as tfjs.SymbolicTensor,
    );
  }
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tfjs.SymbolicTensor;
  const logits = tf.layers.dense({ units: options.classes ?? 10 }).apply(x) as tfjs.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits });
}
