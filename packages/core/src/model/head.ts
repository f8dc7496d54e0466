import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../train/rng.js';
import { glorotUniform } from './layers-trunk.js';
import type { NamedVariable } from './trunk.js';

/**
 * A task head: optional hidden dense + ReLU layers, then a linear output layer. Written with plain
 * variables rather than tfjs layers so that dropout draws a fresh, seeded mask each step (tfjs's seeded
 * Dropout layer repeats one mask) and weight keys stay stable across runs.
 */
export class Head {
  private readonly layers: { kernel: tf.Variable; bias: tf.Variable }[];

  constructor(
    readonly task: string,
    inputSize: number,
    hidden: readonly number[],
    outputSize: number,
    private readonly dropout: number,
    rng: Rng,
  ) {
    const sizes = [inputSize, ...hidden, outputSize];
    this.layers = sizes.slice(1).map((out, i) => ({
      kernel: tf.variable(glorotUniform([sizes[i]!, out], rng.seed()), true),
      bias: tf.variable(tf.zeros([out]), true),
    }));
  }

  /** Outputs `[batch, outputSize]`. `dropoutSeed` is required when training with dropout. */
  apply(features: tf.Tensor2D, training: boolean, dropoutSeed?: number): tf.Tensor2D {
    let x = features;
    this.layers.forEach(({ kernel, bias }, i) => {
      if (training && this.dropout > 0) x = tf.dropout(x, this.dropout, undefined, (dropoutSeed ?? 0) + i) as tf.Tensor2D;
      x = tf.add(tf.matMul(x, kernel), bias);
      if (i < this.layers.length - 1) x = tf.relu(x);
    });
    return x;
  }

  get variables(): tf.Variable[] {
    return this.layers.flatMap((l) => [l.kernel, l.bias]);
  }

  weights(): NamedVariable[] {
    return this.layers.flatMap((l, i) => [
      { key: `head/${this.task}/${i}/kernel`, variable: l.kernel },
      { key: `head/${this.task}/${i}/bias`, variable: l.bias },
    ]);
  }

  reinitialize(rng: Rng): void {
    for (const { kernel, bias } of this.layers) {
      tf.tidy(() => {
        kernel.assign(glorotUniform(kernel.shape, rng.seed()));
        bias.assign(tf.zerosLike(bias));
      });
    }
  }

  dispose(): void {
    this.variables.forEach((v) => v.dispose());
  }
}
