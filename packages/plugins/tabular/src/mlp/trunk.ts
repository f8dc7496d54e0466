import * as tf from '@tensorflow/tfjs';
import { glorotUniform, GraftError, Rng, type LayerGroup, type NamedVariable, type Trunk } from '@graft/core';

export const ACTIVATIONS = {
  relu: tf.relu,
  elu: tf.elu,
  selu: tf.selu,
  tanh: tf.tanh,
  sigmoid: tf.sigmoid,
} as const;
export type ActivationName = keyof typeof ACTIVATIONS;

export interface MlpTrunkOptions {
  inputSize: number;
  hidden: readonly number[];
  dropout: number;
  activation: ActivationName;
  /** Seeds the initial weights and the dropout masks. */
  seed: number;
}

/** The dataset input an MLP trunk reads: `[batch, features]`, as `tabular/csv` provides it. */
export const FEATURES_INPUT = 'features';

/**
 * A multi-layer perceptron trunk: dense → activation → dropout per hidden layer, one layer group per
 * hidden layer, so freezing and discriminative learning rates act layer by layer. Plain variables, so
 * keys are stable and every dropout mask is freshly seeded (tfjs's seeded Dropout layer repeats one mask).
 */
export function mlpTrunk(options: MlpTrunkOptions): Trunk {
  const rng = new Rng(options.seed);
  const sizes = [options.inputSize, ...options.hidden];
  const activation = ACTIVATIONS[options.activation];
  const layers = options.hidden.map((out, i) => ({
    kernel: tf.variable(glorotUniform([sizes[i]!, out], rng.seed()), true),
    bias: tf.variable(tf.zeros([out]), true),
  }));
  const groups: LayerGroup[] = layers.map((l, i) => ({ name: `dense${i}`, variables: [l.kernel, l.bias] }));
  const weights: NamedVariable[] = layers.flatMap((l, i) => [
    { key: `mlp/dense${i}/kernel`, variable: l.kernel },
    { key: `mlp/dense${i}/bias`, variable: l.bias },
  ]);

  return {
    groups,
    featureSize: options.hidden[options.hidden.length - 1]!,
    inputNames: [FEATURES_INPUT],
    preprocess(inputs) {
      return { [FEATURES_INPUT]: tf.cast(requireFeatures(inputs, options.inputSize), 'float32') };
    },
    apply(inputs, training) {
      return tf.tidy(() => {
        let x = requireFeatures(inputs, options.inputSize) as tf.Tensor2D;
        layers.forEach(({ kernel, bias }) => {
          x = activation(tf.add(tf.matMul(x, kernel), bias)) as tf.Tensor2D;
          if (training && options.dropout > 0) x = tf.dropout(x, options.dropout, undefined, rng.seed()) as tf.Tensor2D;
        });
        return x;
      });
    },
    weights: () => weights,
    // Dropout draws from `rng`; checkpoints store its state (exact resume).
    randomState: () => rng.state,
    restoreRandomState(state: number) {
      rng.state = state;
    },
    reinitialize(fresh: Rng) {
      tf.tidy(() => {
        layers.forEach(({ kernel, bias }) => {
          kernel.assign(glorotUniform(kernel.shape, fresh.seed()));
          bias.assign(tf.zerosLike(bias));
        });
      });
    },
    dispose() {
      for (const { kernel, bias } of layers) {
        kernel.dispose();
        bias.dispose();
      }
    },
  };
}

function requireFeatures(inputs: Record<string, tf.Tensor>, size: number): tf.Tensor {
  const x = inputs[FEATURES_INPUT];
  if (!x) {
    throw new GraftError('GRAFT_DATA_INVALID', {
      what: `tabular/mlp reads input "${FEATURES_INPUT}", which the dataset does not provide`,
      choices: Object.keys(inputs),
      fix: 'Use a table dataset such as tabular/csv.',
    });
  }
  if (x.rank !== 2 || x.shape[1] !== size) {
    throw new GraftError('GRAFT_DATA_INVALID', {
      what: `tabular/mlp was built for ${size} features per row but got a batch of shape [${x.shape.join(', ')}]`,
      fix: 'Build the source from the same dataset it is trained on (drop `inputSize` to take it from the data).',
    });
  }
  return x;
}
