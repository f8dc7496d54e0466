import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { layersTrunk, type PretrainedSource } from '@graft/core';
import { imagePreprocess } from '../preprocess.js';

const options = z.strictObject({
  /** Filters of each block (conv 3×3 → BatchNorm → ReLU → max-pool 2×2); one layer group per block. @default [16, 32, 64] */
  filters: z.array(z.number().int().positive()).min(1).max(6).default([16, 32, 64]).describe('Filters per block; one group per block.'),
  /** Images are resized to `inputSize × inputSize` grey. @default 16 */
  inputSize: z.number().int().min(4).max(256).default(16).describe('Size images are resized to (grey, one channel).'),
  /** Seed of the random initialisation. @default the run's seed */
  seed: z.number().int().min(0).optional().describe('Seed of the initialisation (default: the run seed).'),
});

/**
 * `vision/small-cnn`: a small CNN with random, seeded weights — an architecture to train from scratch on a
 * large source task (e.g. `vision/font-digits`) and then transfer with `graft/checkpoint`.
 */
export const smallCnn: PretrainedSource<z.output<typeof options>> = {
  name: 'vision/small-cnn',
  description: 'A small CNN (conv-BN-ReLU-pool blocks), randomly initialised: pretrain it yourself, then transfer its checkpoint.',
  options,
  async load(o, ctx) {
    const seed = o.seed ?? ctx.seed;
    const input = tf.input({ shape: [o.inputSize, o.inputSize, 1], name: 'image' });
    let x: tf.SymbolicTensor = input;
    const groups = o.filters.map((filters, i) => {
      const b = `block${i + 1}`;
      x = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, name: `${b}_conv`, kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 31 + i }) }).apply(x) as tf.SymbolicTensor;
      x = tf.layers.batchNormalization({ name: `${b}_bn`, momentum: 0.9 }).apply(x) as tf.SymbolicTensor;
      x = tf.layers.reLU({ name: `${b}_relu` }).apply(x) as tf.SymbolicTensor;
      if (x.shape[1]! >= 2) x = tf.layers.maxPooling2d({ poolSize: 2, name: `${b}_pool` }).apply(x) as tf.SymbolicTensor;
      return { name: b, layers: [`${b}_conv`, `${b}_bn`, `${b}_relu`] };
    });
    const model = tf.model({ inputs: input, outputs: x, name: 'small_cnn' });
    return layersTrunk({ model, groups, preprocess: imagePreprocess({ size: o.inputSize, scale: 'unit', channels: 1 }) });
  },
};
