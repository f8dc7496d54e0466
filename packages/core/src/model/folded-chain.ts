import * as tf from '@tensorflow/tfjs';
import { batchNormTrainingOnTape } from './batch-norm-training.js';
import { foldOnTape, normConstants, type NormConstants } from './fold-on-tape.js';
import { registerFusedConvGradients } from './fused-conv-gradient.js';

/**
 * Runs a chain of tfjs layers (each feeding only the next) with every convolution whose BatchNorm computes
 * with its running statistics folded into one fused call: `act(γ·(conv(x, W) + b − μ)/√(σ² + ε) + β)` is
 * `act(conv(x, W·s) + (b − μ)·s + β)` with `s = γ/√(σ² + ε)` (Jacob et al. 2018, "Quantization and Training
 * of Neural Networks for Efficient Integer-Arithmetic-Only Inference", §3.2). The backend then applies bias
 * and ReLU/ReLU6 inside the convolution (XNNPACK on wasm) instead of BatchNorm's and the activation's own passes.
 *
 * Folded wherever the BatchNorm computes with its running statistics (the training flag off, or the layer
 * forced into inference), which the two agree on up to rounding. Outside a gradient tape the folded weights
 * are cached; under one (`tf.grad`, `tf.variableGrads`: fine-tuning with frozen BatchNorm statistics) they are
 * folded on the tape, so the gradients reach the kernel, γ and β through the fold, and the convolution runs as
 * one kernel whose gradient fused-conv-gradient.ts registers: BatchNorm's and the activation's own passes
 * are gone from the backward pass too. A BatchNorm training on batch statistics under a tape cannot fold; it
 * runs with its activation as one operation with BatchNorm's closed-form gradient (batch-norm-training.ts),
 * updating its moving averages as the layer does. Everything else (dilated convolutions under a tape, BatchNorm
 * in training mode outside one or without γ and β, layers that match no pattern) runs through `layer.apply`
 * exactly as the unfolded model does.
 */
export interface FoldedChain {
  /** Layers `[from, to)` of the chain applied to `x` (inside the caller's tidy). @default the whole chain */
  apply(x: tf.Tensor, training: boolean, from?: number, to?: number): tf.Tensor;
  /** How many convolution + BatchNorm pairs can fold (for tests and benches). */
  readonly foldable: number;
  /** Free the cached folded weights. */
  dispose(): void;
}

type Activation = 'linear' | 'relu' | 'relu6';

/** A convolution, its BatchNorm and the activation after them (when one can fuse). */
interface Fold {
  conv: tf.layers.Layer;
  norm: tf.layers.Layer;
  /** The activation layer fused into the call, if any. */
  act?: tf.layers.Layer;
  activation: Activation;
  depthwise: boolean;
  strides: [number, number];
  dilations: [number, number];
  pad: 'same' | 'valid';
}

/** Folded weights and the storage of the variables they came from: a variable's assignment gives it new storage. */
interface Folded {
  sources: object[];
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

/**
 * @param layers The chain, input to output (no InputLayer).
 * @param normForcedToInference Whether a BatchNorm layer computes with running statistics even when training.
 */
export function foldedChain(layers: readonly tf.layers.Layer[], normForcedToInference: (layer: tf.layers.Layer) => boolean): FoldedChain {
  const folds = new Map<number, Fold>();
  for (let i = 0; i + 1 < layers.length; i++) {
    const fold = matchFold(layers[i]!, layers[i + 1]!, layers[i + 2]);
    if (fold) folds.set(i, fold);
  }
  const cache = new Map<Fold, Folded>();
  const constants = new Map<Fold, NormConstants & { sources: object[] }>();
  registerFusedConvGradients();

  const folded = (fold: Fold): Folded => {
    const sources = [...fold.conv.weights, ...fold.norm.weights].map((w) => (w.read() as tf.Variable).dataId);
    const hit = cache.get(fold);
    // The cache holds while every source variable still has the storage it was folded from: the
    // optimizers, BatchNorm's statistics update and checkpoint loading all assign new tensors, so a
    // refold costs a few small ops once per change (per epoch at evaluation) instead of per batch, and
    // on wasm the fused kernel keeps its packed XNNPACK operator, which is keyed by the filter's storage.
    if (hit && hit.sources.every((s, i) => s === sources[i])) return hit;
    if (hit) tf.dispose([hit.filter, hit.bias]);
    const [filter, bias] = tf.tidy(() => foldWeights(fold).map((t) => tf.keep(t)));
    const entry = { sources, filter: filter as tf.Tensor4D, bias: bias as tf.Tensor1D };
    cache.set(fold, entry);
    return entry;
  };

  /** The BatchNorm's constants, refreshed when its statistics get new storage (a checkpoint, a fresh start). */
  const normConstantsOf = (fold: Fold): NormConstants => {
    const norm = weightsByName(fold.norm);
    const mean = norm.get('moving_mean')!;
    const variance = norm.get('moving_variance')!;
    const sources = [mean.dataId, variance.dataId];
    const hit = constants.get(fold);
    if (hit && hit.sources.every((s, i) => s === sources[i])) return hit;
    if (hit) tf.dispose([hit.rstd, hit.shift]);
    const fresh = tf.tidy(() => {
      const c = normConstants(mean as tf.Tensor1D, variance as tf.Tensor1D, fold.norm.getConfig().epsilon as number);
      return { rstd: tf.keep(c.rstd), shift: tf.keep(c.shift) };
    });
    constants.set(fold, { ...fresh, sources });
    return fresh;
  };

  return {
    foldable: folds.size,
    apply(x, training, from = 0, to = layers.length) {
      const inTape = tf.engine().state.gradientDepth > 0;
      let h = x;
      for (let i = from; i < to; ) {
        const fold = folds.get(i);
        const span = fold ? (fold.act ? 3 : 2) : 1;
        const fits = fold !== undefined && i + span <= to;
        if (fits && (!training || normForcedToInference(fold.norm)) && (!inTape || differentiable(fold))) {
          h = inTape ? tapedCall(fold, h, normConstantsOf(fold)) : fusedCall(fold, h, folded(fold));
          i += span;
        } else if (fits && inTape && training && differentiable(fold) && trainsInBatchMode(fold)) {
          h = trainingCall(fold, h);
          i += span;
        } else {
          h = layers[i]!.apply(h, { training }) as tf.Tensor;
          i += 1;
        }
      }
      return h;
    },
    dispose() {
      for (const f of cache.values()) tf.dispose([f.filter, f.bias]);
      for (const c of constants.values()) tf.dispose([c.rstd, c.shift]);
      cache.clear();
      constants.clear();
    },
  };
}

/** The fold starting at `conv`, or undefined when the three layers do not form one. */
function matchFold(conv: tf.layers.Layer, norm: tf.layers.Layer, next: tf.layers.Layer | undefined): Fold | undefined {
  const kind = conv.getClassName();
  if (kind !== 'Conv2D' && kind !== 'DepthwiseConv2D') return undefined;
  if (norm.getClassName() !== 'BatchNormalization') return undefined;
  const c = conv.getConfig();
  if (c.activation !== 'linear' || (c.dataFormat ?? 'channelsLast') !== 'channelsLast') return undefined;
  const n = norm.getConfig();
  const axis = Array.isArray(n.axis) ? n.axis : [n.axis];
  if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== 3)) return undefined;
  const names = new Set([...conv.weights, ...norm.weights].map(baseName));
  const hasKernel = names.has(kind === 'DepthwiseConv2D' ? 'depthwise_kernel' : 'kernel');
  if (!hasKernel || !names.has('moving_mean') || !names.has('moving_variance')) return undefined;
  const activation = next ? fusableActivation(next) : undefined;
  return {
    conv,
    norm,
    act: activation ? next : undefined,
    activation: activation ?? 'linear',
    depthwise: kind === 'DepthwiseConv2D',
    strides: pair(c.strides),
    dilations: pair(c.dilationRate ?? 1),
    pad: c.padding === 'same' ? 'same' : 'valid',
  };
}

function pair(value: unknown): [number, number] {
  const v = Array.isArray(value) ? value : [value, value];
  return [Number(v[0]), Number(v[1])];
}

/** The activation a layer computes when the fused kernel can compute it too. */
function fusableActivation(layer: tf.layers.Layer): Activation | undefined {
  const c = layer.getConfig();
  if (layer.getClassName() === 'Activation') return c.activation === 'relu' || c.activation === 'relu6' ? c.activation : undefined;
  if (layer.getClassName() === 'ReLU') {
    if (c.maxValue == null) return 'relu';
    if (c.maxValue === 6) return 'relu6';
  }
  return undefined;
}

/** `W·s` and `(b − μ)·s + β` with `s = γ/√(σ² + ε)`, from the variables' current values. */
function foldWeights(fold: Fold): [tf.Tensor4D, tf.Tensor1D] {
  const conv = weightsByName(fold.conv);
  const norm = weightsByName(fold.norm);
  const kernel = kernelOf(conv);
  const convBias = conv.get('bias');
  const gamma = norm.get('gamma');
  const beta = norm.get('beta');
  const rstd = tf.rsqrt(tf.add(norm.get('moving_variance')!, fold.norm.getConfig().epsilon as number));
  const s = gamma ? tf.mul(gamma, rstd) : rstd;
  // A depthwise kernel is [kh, kw, in, multiplier]; output channel i·multiplier + m scales by s[i·multiplier + m].
  const filter = tf.mul(kernel, fold.depthwise ? tf.reshape(s, [kernel.shape[2], kernel.shape[3]]) : s) as tf.Tensor4D;
  const mean = norm.get('moving_mean')!;
  const shifted = tf.mul(convBias ? tf.sub(convBias, mean) : tf.neg(mean), s);
  const bias = (beta ? tf.add(shifted, beta) : shifted) as tf.Tensor1D;
  return [filter, bias];
}

/**
 * A layer's weights by the name it created them under (`kernel`, `gamma`, `moving_mean`, …): by name, not
 * position, since tfjs lists trainable weights first and freezing one reorders them.
 */
function weightsByName(layer: tf.layers.Layer): Map<string, tf.Tensor> {
  return new Map(layer.weights.map((w) => [baseName(w), w.read()]));
}

/** `gamma` of `conv1_bn/gamma`: the name a layer gave the weight, without its layer's scope. */
function baseName(w: tf.LayerVariable): string {
  return w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
}

/** Whether a fold's gradient is registered (fused-conv-gradient.ts): dilation 1, as tfjs' own convolution gradients. */
function differentiable(fold: Fold): boolean {
  return fold.dilations[0] === 1 && fold.dilations[1] === 1;
}

/**
 * The fold under a gradient tape: weights folded from the variables on the tape, then the fused kernel
 * called directly, so that the tape records it with the gradient registered for it.
 */
function tapedCall(fold: Fold, x: tf.Tensor, constants: NormConstants): tf.Tensor {
  const conv = weightsByName(fold.conv);
  const norm = weightsByName(fold.norm);
  const [filter, bias] = foldOnTape(
    {
      kernel: kernelOf(conv),
      depthwise: fold.depthwise,
      convBias: conv.get('bias') as tf.Tensor1D | undefined,
      gamma: norm.get('gamma') as tf.Tensor1D | undefined,
      beta: norm.get('beta') as tf.Tensor1D | undefined,
    },
    constants,
  );
  return fusedKernel(fold, x, filter, bias, fold.activation);
}

/** One fused convolution kernel call, recorded on the tape with its registered gradient. */
function fusedKernel(fold: Fold, x: tf.Tensor, filter: tf.Tensor, bias: tf.Tensor, activation: Activation): tf.Tensor {
  const { strides, pad, dilations } = fold;
  const attrs = { strides, pad, dataFormat: 'NHWC', dilations, activation };
  return tf.engine().runKernel(fold.depthwise ? 'FusedDepthwiseConv2D' : 'FusedConv2D', { x, filter, bias }, attrs) as tf.Tensor;
}

function kernelOf(conv: Map<string, tf.Tensor>): tf.Tensor4D {
  return (conv.get('kernel') ?? conv.get('depthwise_kernel')) as tf.Tensor4D;
}

/** BatchNorm on batch statistics with both γ and β, the only case tfjs' layer can train. */
function trainsInBatchMode(fold: Fold): boolean {
  const names = new Set(fold.norm.weights.map(baseName));
  return names.has('gamma') && names.has('beta');
}

/**
 * Convolution, then BatchNorm on the batch's statistics and the activation as one operation
 * (batch-norm-training.ts), under a gradient tape; the layer's moving averages are updated as its own
 * training call does.
 */
function trainingCall(fold: Fold, x: tf.Tensor): tf.Tensor {
  const conv = weightsByName(fold.conv);
  const norm = weightsByName(fold.norm);
  const { strides, pad, dilations } = fold;
  const kernel = kernelOf(conv);
  const convBias = conv.get('bias');
  const z = convBias
    ? fusedKernel(fold, x, kernel, convBias, 'linear')
    : fold.depthwise
      ? tf.depthwiseConv2d(x as tf.Tensor4D, kernel, strides, pad, 'NHWC', dilations)
      : tf.conv2d(x as tf.Tensor4D, kernel, strides, pad, 'NHWC', dilations);
  const layer = fold.norm as unknown as { momentum: number; epsilon: number };
  const moving = new Map(fold.norm.weights.map((w) => [baseName(w), w]));
  return batchNormTrainingOnTape(z as tf.Tensor4D, {
    gamma: norm.get('gamma') as tf.Tensor1D,
    beta: norm.get('beta') as tf.Tensor1D,
    epsilon: layer.epsilon,
    activation: fold.activation,
    // As tfjs' BatchNormalization: moving ← moving − (moving − batch)·(1 − momentum).
    update(mean, variance) {
      for (const [name, value] of [['moving_mean', mean], ['moving_variance', variance]] as const) {
        const variable = moving.get(name)!;
        tf.tidy(() => {
          const current = variable.read();
          variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - layer.momentum)));
        });
      }
    },
  });
}

function fusedCall(fold: Fold, x: tf.Tensor, w: Folded): tf.Tensor {
  const { strides, pad, dilations, activation } = fold;
  const args = { x: x as tf.Tensor4D, filter: w.filter, strides, pad, dilations, bias: w.bias, activation };
  return fold.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
}
