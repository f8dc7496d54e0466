import * as tf from '@tensorflow/tfjs';
import { GraftError } from '@graft/core';
import type { OnnxConstant, OnnxNode } from './onnx-graph.js';
import { NHWC_AXIS, alignBinary, fromOnnxLayout, toOnnxLayout, type Value } from './values.js';

/** Running values of the graph by name; constants come back as tensors too. */
export type Lookup = (name: string) => Value;
/** One compiled node: its output for the current inputs. */
export type Run = (get: Lookup, training: boolean) => Value;

/** The state of one BatchNormalization node that the trunk adjusts (freezing, momentum). */
export interface NormState {
  /** Keras/ONNX convention: running = running·momentum + batch·(1 − momentum). */
  momentum: number;
  /** Use running statistics even when training (a frozen group with `bn: frozen`). */
  inference: boolean;
}

/** What an op needs at compile time. */
export interface CompileEnv {
  opset: number;
  where: string;
  /** The constant with this name (initializer or Constant node), if it is one. */
  constant(name: string): OnnxConstant | undefined;
  /**
   * The weight `name` as a variable, created once, with `layout` turning the ONNX tensor into the
   * shape the op uses (e.g. OIHW → HWIO).
   */
  param(name: string, layout: (t: tf.Tensor) => tf.Tensor, trainable: boolean): tf.Variable;
  norm(node: OnnxNode): NormState;
}

type Compile = (node: OnnxNode, env: CompileEnv) => Run;

const int = (node: OnnxNode, key: string, fallback: number): number => {
  const v = node.attrs.get(key);
  return typeof v === 'number' ? v : fallback;
};
const ints = (node: OnnxNode, key: string): number[] | undefined => {
  const v = node.attrs.get(key);
  return Array.isArray(v) ? v : undefined;
};
const float = (node: OnnxNode, key: string, fallback: number): number => int(node, key, fallback);
const str = (node: OnnxNode, key: string, fallback: string): string => {
  const v = node.attrs.get(key);
  return typeof v === 'string' ? v : fallback;
};

function unsupported(node: OnnxNode, env: CompileEnv, what: string, fix: string): GraftError {
  return new GraftError('GRAFT_MODEL_LOAD', {
    what: `ONNX node "${node.name}" (${node.opType}) uses ${what}, which the importer does not support`,
    where: env.where,
    fix,
  });
}

function constInput(node: OnnxNode, env: CompileEnv, i: number, what: string): OnnxConstant {
  const c = env.constant(node.inputs[i] ?? '');
  if (!c) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `ONNX node "${node.name}" (${node.opType}) computes its ${what} at run time ("${node.inputs[i]}")`,
      where: env.where,
      why: 'The importer needs shapes, pads and weights of convolutions as constants (a static graph)',
      fix: 'Export with fixed shapes (torch.onnx.export without dynamic_axes other than the batch), or simplify the graph with onnx-simplifier.',
    });
  }
  return c;
}

/** Spatial padding of a conv or pool: a number when symmetric, else explicit `[[t, b], [l, r]]`. */
function spatialPads(node: OnnxNode, env: CompileEnv): number | [[number, number], [number, number]] | 'same' {
  const autoPad = str(node, 'auto_pad', 'NOTSET');
  if (autoPad === 'SAME_UPPER') return 'same';
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') throw unsupported(node, env, `auto_pad ${autoPad}`, 'Export with explicit pads (the default of torch.onnx.export).');
  const [t = 0, l = 0, b = 0, r = 0] = autoPad === 'VALID' ? [] : ints(node, 'pads') ?? [];
  return t === b && l === r && t === l ? t : [[t, b], [l, r]];
}

function padded(x: tf.Tensor, pads: [[number, number], [number, number]], value = 0): tf.Tensor {
  return tf.pad(x, [[0, 0], pads[0], pads[1], [0, 0]], value);
}

function requireNhwc(node: OnnxNode, env: CompileEnv, v: Value): tf.Tensor4D {
  if (!v.nhwc) throw unsupported(node, env, `a ${v.t.rank}-D input`, 'Only 2-D convolutions and pools over [N, C, H, W] images are supported.');
  return v.t as tf.Tensor4D;
}

const conv: Compile = (node, env) => {
  const w = constInput(node, env, 1, 'weights');
  if (w.shape.length !== 4) throw unsupported(node, env, `a ${w.shape.length - 2}-D convolution`, 'Only 2-D convolutions are supported.');
  const group = int(node, 'group', 1);
  const [outChannels, perGroup] = w.shape as [number, number, number, number];
  const strides = (ints(node, 'strides') ?? [1, 1]) as [number, number];
  const dilations = (ints(node, 'dilations') ?? [1, 1]) as [number, number];
  const pads = spatialPads(node, env);
  const depthwise = group > 1 && perGroup === 1;
  const kernel = depthwise
    ? env.param(node.inputs[1]!, (t) => tf.transpose(tf.reshape(t, [group, outChannels / group, w.shape[2]!, w.shape[3]!]), [2, 3, 0, 1]), true)
    : env.param(node.inputs[1]!, (t) => tf.transpose(t, [2, 3, 1, 0]), true);
  const bias = node.inputs[2] ? env.param(node.inputs[2], (t) => t, true) : undefined;
  return (get) => {
    let x = requireNhwc(node, env, get(node.inputs[0]!));
    let pad: number | 'same' | 'valid' = 'valid';
    if (Array.isArray(pads)) x = padded(x, pads) as tf.Tensor4D;
    else pad = pads === 0 ? 'valid' : pads;
    let y: tf.Tensor4D;
    if (depthwise) y = tf.depthwiseConv2d(x, kernel as tf.Tensor4D, strides, pad, 'NHWC', dilations) as tf.Tensor4D;
    else if (group === 1) y = tf.conv2d(x, kernel as tf.Tensor4D, strides, pad, 'NHWC', dilations);
    else {
      const xs = tf.split(x, group, 3);
      const ks = tf.split(kernel, group, 3);
      y = tf.concat(xs.map((xi, i) => tf.conv2d(xi as tf.Tensor4D, ks[i] as tf.Tensor4D, strides, pad, 'NHWC', dilations)), 3);
    }
    return { t: bias ? tf.add(y, bias) : y, nhwc: true };
  };
};

const batchNorm: Compile = (node, env) => {
  for (let i = 1; i <= 4; i++) constInput(node, env, i, ['', 'scale', 'bias', 'running mean', 'running variance'][i]!);
  const [scale, bias] = [1, 2].map((i) => env.param(node.inputs[i]!, (t) => t, true));
  const [mean, variance] = [3, 4].map((i) => env.param(node.inputs[i]!, (t) => t, false));
  const epsilon = float(node, 'epsilon', 1e-5);
  const state = env.norm(node);
  return (get, training) => {
    const v = get(node.inputs[0]!);
    if (v.t.rank !== 4 && v.t.rank !== 2) throw unsupported(node, env, `batch normalisation of a ${v.t.rank}-D tensor`, 'Only BatchNorm2d and BatchNorm1d over [N, C] are supported.');
    const x = v.t as tf.Tensor4D;
    if (!training || state.inference) return { t: tf.batchNorm(x, mean!, variance!, bias, scale, epsilon), nhwc: v.nhwc };
    const axes = x.rank === 4 ? [0, 1, 2] : [0];
    const moments = tf.moments(x, axes);
    const n = axes.reduce((a, ax) => a * x.shape[ax]!, 1);
    // PyTorch's running variance is the unbiased one; the output uses the biased batch variance.
    const m = state.momentum;
    mean!.assign(tf.add(tf.mul(mean!, m), tf.mul(moments.mean, 1 - m)));
    variance!.assign(tf.add(tf.mul(variance!, m), tf.mul(moments.variance, (1 - m) * (n / Math.max(1, n - 1)))));
    return { t: tf.batchNorm(x, moments.mean, moments.variance, bias, scale, epsilon), nhwc: v.nhwc };
  };
};

const unary = (f: (x: tf.Tensor, node: OnnxNode) => tf.Tensor): Compile => (node) => (get) => {
  const v = get(node.inputs[0]!);
  return { t: f(v.t, node), nhwc: v.nhwc };
};

const binary = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): Compile => (node) => (get) => {
  const [a, b, nhwc] = alignBinary(get(node.inputs[0]!), get(node.inputs[1]!));
  return { t: f(a, b), nhwc };
};

const hardSigmoid = (x: tf.Tensor, alpha: number, beta: number) => tf.clipByValue(tf.add(tf.mul(x, alpha), beta), 0, 1);

const clip: Compile = (node, env) => {
  const bound = (i: number, attr: string, fallback: number): number => {
    if (env.opset < 11) return float(node, attr, fallback);
    if (!node.inputs[i]) return fallback;
    return Number(constInput(node, env, i, attr).data[0]);
  };
  const lo = bound(1, 'min', -3.4e38);
  const hi = bound(2, 'max', 3.4e38);
  return unary((x) => tf.clipByValue(x, lo, hi))(node, env);
};

function poolShape(node: OnnxNode, env: CompileEnv): { kernel: [number, number]; strides: [number, number] } {
  const kernel = ints(node, 'kernel_shape');
  if (kernel?.length !== 2) throw unsupported(node, env, `a ${kernel?.length ?? 0}-D pool`, 'Only 2-D pools are supported.');
  if (int(node, 'ceil_mode', 0) !== 0) throw unsupported(node, env, 'ceil_mode=1', 'Use ceil_mode=False in the PyTorch pool.');
  if ((ints(node, 'dilations') ?? [1, 1]).some((d) => d !== 1)) throw unsupported(node, env, 'dilated pooling', 'Use pools without dilation.');
  return { kernel: kernel as [number, number], strides: (ints(node, 'strides') ?? [1, 1]) as [number, number] };
}

const maxPool: Compile = (node, env) => {
  const { kernel, strides } = poolShape(node, env);
  const pads = spatialPads(node, env);
  return (get) => {
    let x = requireNhwc(node, env, get(node.inputs[0]!));
    if (Array.isArray(pads)) x = padded(x, pads, -3.4e38) as tf.Tensor4D;
    return { t: tf.maxPool(x, kernel, strides, Array.isArray(pads) ? 'valid' : pads), nhwc: true };
  };
};

const avgPool: Compile = (node, env) => {
  const { kernel, strides } = poolShape(node, env);
  const pads = spatialPads(node, env);
  const includePad = int(node, 'count_include_pad', 0) === 1;
  return (get) => {
    let x = requireNhwc(node, env, get(node.inputs[0]!));
    let pad: number | 'same' | 'valid' = Array.isArray(pads) ? 'valid' : pads;
    // tfjs averages over the window's pixels inside the image (count_include_pad=0); padding first counts the zeros.
    if (Array.isArray(pads) || (includePad && typeof pads === 'number' && pads > 0)) {
      const p: [[number, number], [number, number]] = Array.isArray(pads) ? pads : [[pads as number, pads as number], [pads as number, pads as number]];
      if (!includePad && Array.isArray(pads)) throw unsupported(node, env, 'asymmetric pads without count_include_pad', 'Use symmetric padding.');
      x = padded(x, p) as tf.Tensor4D;
      pad = 'valid';
    }
    return { t: tf.avgPool(x, kernel, strides, pad), nhwc: true };
  };
};

const globalAvgPool: Compile = (node, env) => (get) => ({ t: tf.mean(requireNhwc(node, env, get(node.inputs[0]!)), [1, 2], true), nhwc: true });

const flatten: Compile = (node) => (get) => {
  const x = toOnnxLayout(get(node.inputs[0]!));
  let axis = int(node, 'axis', 1);
  if (axis < 0) axis += x.rank;
  const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  return { t: tf.reshape(x, [outer, -1]), nhwc: false };
};

const reshape: Compile = (node, env) => {
  const target = (env.opset < 5 ? ints(node, 'shape') : constInput(node, env, 1, 'target shape').data) as number[];
  return (get) => {
    const x = toOnnxLayout(get(node.inputs[0]!));
    const shape = Array.from(target, (d, i) => (d === 0 ? x.shape[i]! : d));
    return fromOnnxLayout(tf.reshape(x, shape));
  };
};

const gemm: Compile = (node, env) => {
  const alpha = float(node, 'alpha', 1);
  const beta = float(node, 'beta', 1);
  const transA = int(node, 'transA', 0) === 1;
  const transB = int(node, 'transB', 0) === 1;
  const b = env.constant(node.inputs[1]!) ? env.param(node.inputs[1]!, (t) => (transB ? tf.transpose(t) : t), true) : undefined;
  const c = node.inputs[2] && env.constant(node.inputs[2]) ? env.param(node.inputs[2], (t) => t, true) : undefined;
  return (get) => {
    let a = toOnnxLayout(get(node.inputs[0]!)) as tf.Tensor2D;
    if (transA) a = tf.transpose(a);
    const bt = (b ?? (transB ? tf.transpose(get(node.inputs[1]!).t) : get(node.inputs[1]!).t)) as tf.Tensor2D;
    let y: tf.Tensor = tf.matMul(a, bt);
    if (alpha !== 1) y = tf.mul(y, alpha);
    const ct = c ?? (node.inputs[2] ? get(node.inputs[2]).t : undefined);
    if (ct) y = tf.add(y, beta === 1 ? ct : tf.mul(ct, beta));
    return { t: y, nhwc: false };
  };
};

const matMul: Compile = (node, env) => {
  const b = env.constant(node.inputs[1]!) ? env.param(node.inputs[1]!, (t) => t, true) : undefined;
  return (get) => {
    const a = toOnnxLayout(get(node.inputs[0]!));
    const bt = b ?? toOnnxLayout(get(node.inputs[1]!));
    if (a.rank === 2 && bt.rank === 2) return { t: tf.matMul(a as tf.Tensor2D, bt as tf.Tensor2D), nhwc: false };
    if (bt.rank === 2) {
      const flat = tf.reshape(a, [-1, a.shape[a.rank - 1]!]);
      return fromOnnxLayout(tf.reshape(tf.matMul(flat as tf.Tensor2D, bt as tf.Tensor2D), [...a.shape.slice(0, -1), bt.shape[1]!]));
    }
    return fromOnnxLayout(tf.matMul(a as tf.Tensor3D, bt as tf.Tensor3D));
  };
};

const concat: Compile = (node) => (get) => {
  const values = node.inputs.filter(Boolean).map(get);
  const nhwc = values[0]!.nhwc;
  const rank = values[0]!.t.rank;
  let axis = int(node, 'axis', 0);
  if (axis < 0) axis += rank;
  const tensors = values.map((v) => (v.nhwc === nhwc ? v.t : nhwc ? fromOnnxLayout(v.t).t : toOnnxLayout(v)));
  return { t: tf.concat(tensors, nhwc ? NHWC_AXIS[axis] : axis), nhwc };
};

const pad: Compile = (node, env) => {
  const mode = str(node, 'mode', 'constant');
  if (mode !== 'constant' && mode !== 'reflect') throw unsupported(node, env, `${mode} padding`, 'Use constant (zero) or reflect padding.');
  const pads = (env.opset < 11 ? ints(node, 'pads') : Array.from(constInput(node, env, 1, 'pads').data)) ?? [];
  const value = env.opset < 11 ? float(node, 'value', 0) : node.inputs[2] ? Number(constInput(node, env, 2, 'pad value').data[0]) : 0;
  if (node.inputs[3]) throw unsupported(node, env, 'Pad with axes', 'Pad every axis (the default of torch.onnx.export).');
  return (get) => {
    const v = get(node.inputs[0]!);
    const rank = v.t.rank;
    const onnxPads = Array.from({ length: rank }, (_, i) => [pads[i] ?? 0, pads[i + rank] ?? 0] as [number, number]);
    const paddings = v.nhwc ? [onnxPads[0]!, onnxPads[2]!, onnxPads[3]!, onnxPads[1]!] : onnxPads;
    return { t: mode === 'reflect' ? tf.mirrorPad(v.t, paddings, 'reflect') : tf.pad(v.t, paddings, value), nhwc: v.nhwc };
  };
};

const reduceMean: Compile = (node, env) => {
  const axes = env.opset >= 18 && node.inputs[1] ? (constInput(node, env, 1, 'axes').data as number[]) : ints(node, 'axes');
  const keep = int(node, 'keepdims', 1) === 1;
  return (get) => {
    const v = get(node.inputs[0]!);
    const rank = v.t.rank;
    const all = (axes ?? Array.from({ length: rank }, (_, i) => i)).map((a) => (a + rank) % rank);
    if (v.nhwc && keep) return { t: tf.mean(v.t, all.map((a) => NHWC_AXIS[a]!), true), nhwc: true };
    return fromOnnxLayout(tf.mean(toOnnxLayout(v), all, keep));
  };
};

const dropout: Compile = (node, env) => {
  const ratio = env.opset >= 12 && node.inputs[1] ? Number(constInput(node, env, 1, 'ratio').data[0]) : float(node, 'ratio', 0.5);
  return (get, training) => {
    const v = get(node.inputs[0]!);
    return { t: training && ratio > 0 ? tf.dropout(v.t, ratio) : v.t, nhwc: v.nhwc };
  };
};

/** The operators the importer builds, by ONNX op type. */
export const OPS: Record<string, Compile> = {
  Conv: conv,
  BatchNormalization: batchNorm,
  Relu: unary((x) => tf.relu(x)),
  LeakyRelu: unary((x, n) => tf.leakyRelu(x, float(n, 'alpha', 0.01))),
  Sigmoid: unary((x) => tf.sigmoid(x)),
  Tanh: unary((x) => tf.tanh(x)),
  HardSigmoid: unary((x, n) => hardSigmoid(x, float(n, 'alpha', 0.2), float(n, 'beta', 0.5))),
  HardSwish: unary((x) => tf.mul(x, hardSigmoid(x, 1 / 6, 0.5))),
  Clip: clip,
  Identity: unary((x) => x),
  Dropout: dropout,
  Add: binary((a, b) => tf.add(a, b)),
  Sub: binary((a, b) => tf.sub(a, b)),
  Mul: binary((a, b) => tf.mul(a, b)),
  Div: binary((a, b) => tf.div(a, b)),
  MaxPool: maxPool,
  AveragePool: avgPool,
  GlobalAveragePool: globalAvgPool,
  ReduceMean: reduceMean,
  Flatten: flatten,
  Reshape: reshape,
  Gemm: gemm,
  MatMul: matMul,
  Concat: concat,
  Pad: pad,
};
