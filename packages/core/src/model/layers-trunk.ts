import * as tf from '@tensorflow/tfjs';
import { GraftError } from '../errors.js';
import type { Rng } from '../train/rng.js';
import { foldedChain } from './folded-chain.js';
import type { LayerGroup, NamedVariable, Trunk, TrunkSplit } from './trunk.js';

export interface LayersTrunkOptions {
  /** A tfjs layers model from the model input to the feature layer; a 4-D output is global-average-pooled. */
  model: tf.LayersModel;
  /** Ordered groups (input → output): the names of the layers in each. Every layer with weights must be in one. */
  groups: { name: string; layers: string[] }[];
  /** Dataset input it reads. @default 'image' */
  inputName?: string;
  /** Raw dataset input → model input, inside tf.tidy. @default identity */
  preprocess?: (x: tf.Tensor) => tf.Tensor;
}

const NORM_LAYERS = new Set(['BatchNormalization']);

/**
 * A trunk made of a tfjs layers model. The training flag reaches every layer through `apply`, so a
 * normalisation layer in a frozen group is kept in inference mode by overriding the flag it receives.
 */
export function layersTrunk(options: LayersTrunkOptions): Trunk {
  const { model } = options;
  const inputName = options.inputName ?? 'image';
  const preprocess = options.preprocess ?? ((x: tf.Tensor) => x);
  const byName = new Map(model.layers.map((l) => [l.name, l]));

  const assigned = new Set<string>();
  const groups: LayerGroup[] = options.groups.map((g) => {
    const layers = g.layers.map((name) => {
      const layer = byName.get(name);
      if (!layer) {
        throw new GraftError('GRAFT_MODEL_LOAD', {
          what: `Layer group "${g.name}" names layer "${name}", which the model does not have`,
          fix: 'Name layers that exist in the model (see its model.json).',
          choices: [...byName.keys()].slice(0, 40),
        });
      }
      assigned.add(name);
      return layer;
    });
    const norms = layers.filter((l) => NORM_LAYERS.has(l.getClassName()));
    return {
      name: g.name,
      variables: layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable)),
      setNormInference: norms.length === 0 ? undefined : (inference: boolean) => norms.forEach((l) => forceInference(l, inference)),
    };
  });
  const stray = model.layers.filter((l) => l.weights.length > 0 && !assigned.has(l.name)).map((l) => l.name);
  if (stray.length > 0) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `Layers with weights belong to no group: ${stray.join(', ')}`,
      why: 'Freezing and per-group learning rates act on groups, so every weight must be in one.',
      fix: 'Add these layers to a group.',
    });
  }

  const outputShape = model.outputs[0]!.shape;
  const featureSize = outputShape[outputShape.length - 1]!;
  const weights: NamedVariable[] = model.layers.flatMap((layer) =>
    layer.weights.map((w, i) => ({ key: `${layer.name}/${i}`, variable: w.read() as tf.Variable })),
  );

  const chain = chainOrder(model);
  // A chain runs layer by layer, so that each convolution's inference-mode BatchNorm folds into it.
  const folded = chain ? foldedChain(chain, (layer) => forcedToInference.has(layer)) : undefined;
  const splits = new Map<number, TrunkSplit | undefined>();
  const pool = (out: tf.Tensor): tf.Tensor2D => {
    if (out.rank === 4) return tf.mean(out, [1, 2]) as tf.Tensor2D;
    if (out.rank === 2) return out as tf.Tensor2D;
    return tf.reshape(out, [out.shape[0]!, -1]) as tf.Tensor2D;
  };
  const makeSplit = (boundary: number): TrunkSplit | undefined => {
    if (!chain || boundary <= 0 || boundary >= options.groups.length) return undefined;
    const before = new Set(options.groups.slice(0, boundary).flatMap((g) => g.layers));
    const cut = Math.max(...chain.map((l, i) => (before.has(l.name) ? i : -1)));
    if (cut < 0 || chain.slice(0, cut + 1).some((l) => RANDOM_LAYERS.has(l.getClassName()))) return undefined;
    return {
      prefix: (inputs) => folded!.apply(requireInput(inputs, inputName), false, 0, cut + 1),
      suffix: (x, training) => pool(folded!.apply(x, training, cut + 1)),
    };
  };

  return {
    groups,
    featureSize,
    split(boundary) {
      if (!splits.has(boundary)) splits.set(boundary, makeSplit(boundary));
      return splits.get(boundary);
    },
    inputNames: [inputName],
    preprocess: (inputs) => ({ [inputName]: preprocess(requireInput(inputs, inputName)) }),
    apply(inputs, training) {
      const x = requireInput(inputs, inputName);
      return pool(folded ? folded.apply(x, training) : (model.apply(x, { training }) as tf.Tensor));
    },
    weights: () => weights,
    setNormMomentum(momentum) {
      for (const l of model.layers) if (NORM_LAYERS.has(l.getClassName())) (l as unknown as { momentum: number }).momentum = momentum;
    },
    reinitialize(rng: Rng) {
      for (const layer of model.layers) reinitializeLayer(layer, rng);
    },
    dispose() {
      folded?.dispose();
      model.dispose();
    },
  };
}

/** Layers whose output is random in training mode: a prefix holding one cannot be cached exactly. */
const RANDOM_LAYERS = new Set(['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);

/** The model's layers (input layer excluded) when each one feeds only the next; undefined otherwise. */
function chainOrder(model: tf.LayersModel): tf.layers.Layer[] | undefined {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  for (let i = 0; i < layers.length; i++) {
    const inbound = (layers[i]! as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] }).inboundNodes;
    const sources = inbound.flatMap((n) => n.inboundLayers);
    const expected = i === 0 ? 'InputLayer' : layers[i - 1]!.name;
    if (sources.length !== 1 || (i === 0 ? sources[0]!.getClassName() !== expected : sources[0]!.name !== expected)) return undefined;
  }
  return layers;
}

function requireInput(inputs: Record<string, tf.Tensor>, name: string): tf.Tensor {
  const x = inputs[name];
  if (!x) {
    throw new GraftError('GRAFT_DATA_INVALID', {
      what: `The model reads input "${name}", which the dataset does not provide`,
      choices: Object.keys(inputs),
      fix: 'Use a dataset of the modality this source expects.',
    });
  }
  return x;
}

type CallFn = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];
const originalCall = new WeakMap<tf.layers.Layer, CallFn>();
/** Normalisation layers currently held in inference mode (their BatchNorm may fold into the convolution). */
const forcedToInference = new WeakSet<tf.layers.Layer>();

function forceInference(layer: tf.layers.Layer, inference: boolean): void {
  const mutable = layer as unknown as { call: CallFn };
  if (!originalCall.has(layer)) originalCall.set(layer, mutable.call.bind(layer));
  const call = originalCall.get(layer)!;
  mutable.call = inference ? (inputs, kwargs) => call(inputs, { ...kwargs, training: false }) : call;
  if (inference) forcedToInference.add(layer);
  else forcedToInference.delete(layer);
}

/**
 * Fresh weights for training from scratch: kernels and embeddings glorot-uniform, biases and BN β and
 * means zero, BN γ and variances one. Seeded, so scratch runs are reproducible.
 */
export function reinitializeLayer(layer: tf.layers.Layer, rng: Rng): void {
  const isNorm = NORM_LAYERS.has(layer.getClassName()) || layer.getClassName() === 'LayerNormalization';
  for (const w of layer.weights) {
    const variable = w.read() as tf.Variable;
    const name = w.name.toLowerCase();
    const fresh = tf.tidy(() => {
      if (isNorm) {
        return name.includes('gamma') || name.includes('variance') ? tf.onesLike(variable) : tf.zerosLike(variable);
      }
      if (variable.rank < 2) return tf.zerosLike(variable);
      return glorotUniform(variable.shape, rng.seed());
    });
    variable.assign(fresh);
    fresh.dispose();
  }
}

/** Glorot-uniform for dense `[in, out]`, conv `[kh, kw, in, out]` and depthwise `[kh, kw, in, mult]` kernels. */
export function glorotUniform(shape: number[], seed: number): tf.Tensor {
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const fanIn = shape[shape.length - 2]! * receptive;
  const fanOut = shape[shape.length - 1]! * receptive;
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.randomUniform(shape, -limit, limit, 'float32', seed);
}
