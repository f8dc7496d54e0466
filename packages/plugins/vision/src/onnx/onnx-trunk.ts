import * as tf from '@tensorflow/tfjs';
import { GraftError, glorotUniform, type LayerGroup, type NamedVariable, type Rng, type Trunk } from '@graft/core';
import { onnxGroups } from './onnx-groups.js';
import type { OnnxProgram } from './program.js';

export interface OnnxTrunkOptions {
  program: OnnxProgram;
  /** Raw dataset images → NHWC model input, inside tf.tidy. */
  preprocess: (x: tf.Tensor) => tf.Tensor4D;
  /** Side of the square images the model reads. */
  inputSize: number;
  channels: 1 | 3;
  /** Config path for messages. */
  where: string;
}

/**
 * A trunk over a compiled ONNX graph: weights are tf.Variables keyed by their ONNX initializer names,
 * groups come from the graph's module paths, and a 4-D cut tensor is global-average-pooled to features.
 */
export function onnxTrunk(options: OnnxTrunkOptions): Trunk {
  const { program } = options;
  const groupsOf = onnxGroups(program.params);
  const groups: LayerGroup[] = groupsOf.map((g) => {
    const norms = [...new Set(g.params.map((p) => p.node))].filter((n) => n.opType === 'BatchNormalization').map((n) => program.norms.get(n.name)!);
    return {
      name: g.name,
      variables: g.params.map((p) => p.variable).filter((v) => v.trainable),
      setNormInference: norms.length === 0 ? undefined : (inference: boolean) => norms.forEach((s) => (s.inference = inference)),
    };
  });
  const pool = (v: tf.Tensor): tf.Tensor2D => {
    if (v.rank === 4) return tf.mean(v, [1, 2]) as tf.Tensor2D;
    if (v.rank === 2) return v as tf.Tensor2D;
    return tf.reshape(v, [v.shape[0]!, -1]) as tf.Tensor2D;
  };
  const apply = (inputs: Record<string, tf.Tensor>, training: boolean): tf.Tensor2D => pool(program.run(requireImage(inputs), training).t);
  const featureSize = probeFeatureSize(options, pool);
  const weights: NamedVariable[] = program.params.map((p) => ({ key: p.key, variable: p.variable }));
  const trunk: Trunk = {
    groups: groups.filter((g) => g.variables.length > 0),
    featureSize,
    inputNames: ['image'],
    preprocess: (inputs) => ({ image: options.preprocess(requireImage(inputs)) }),
    apply,
    weights: () => weights,
    setNormMomentum(momentum) {
      for (const s of program.norms.values()) s.momentum = momentum;
    },
    reinitialize(rng: Rng) {
      for (const p of program.params) {
        const fresh = tf.tidy(() => freshValue(p.key, p.node.opType, p.node.inputs.indexOf(p.key), p.variable, rng.seed()));
        p.variable.assign(fresh);
        fresh.dispose();
      }
    },
    dispose: () => program.dispose(),
  };
  return trunk;
}

/** Run one blank image through the graph: the feature width, and any shape the graph cannot take, found now. */
function probeFeatureSize(options: OnnxTrunkOptions, pool: (v: tf.Tensor) => tf.Tensor2D): number {
  const [size, channels] = [options.inputSize, options.channels];
  try {
    const features = tf.tidy(() => pool(options.program.run(tf.zeros([1, size, size, channels]), false).t));
    features.dispose();
    return features.shape[1];
  } catch (cause) {
    if (cause instanceof GraftError) throw cause;
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `The ONNX graph cannot run on ${size}×${size}×${channels} images up to "${options.program.cut}"`,
      where: options.where,
      why: (cause as Error).message,
      fix: 'Give the `inputSize` the model was exported for, or export it with a fixed-size reshape removed (torch.flatten instead of view with constants).',
      cause,
    });
  }
}

/**
 * Fresh weights for training from scratch: kernels glorot-uniform, biases zero, BN γ and running
 * variance one, β and running mean zero (as `reinitializeLayer` does for layers models).
 */
function freshValue(_key: string, opType: string, inputIndex: number, v: tf.Variable, seed: number): tf.Tensor {
  if (opType === 'BatchNormalization') return inputIndex === 1 || inputIndex === 4 ? tf.onesLike(v) : tf.zerosLike(v);
  if (v.rank < 2) return tf.zerosLike(v);
  return glorotUniform(v.shape, seed);
}

function requireImage(inputs: Record<string, tf.Tensor>): tf.Tensor4D {
  const x = inputs.image;
  if (!x) {
    throw new GraftError('GRAFT_DATA_INVALID', {
      what: 'The ONNX image model reads input "image", which the dataset does not provide',
      choices: Object.keys(inputs),
      fix: 'Use an image dataset with this source.',
    });
  }
  return x as tf.Tensor4D;
}
