import * as tf from '@tensorflow/tfjs';

/**
 * The optimizer's update of one variable as one kernel: inputs `w` (the variable), `g` (its gradient)
 * and its slots (`velocity` for momentum, `m` and `v` for adam and adamw); outputs the new variable then
 * the new slots, in that order, all NEW tensors (the inputs are never written, so tensors sharing
 * storage with them, clones and snapshots, keep their values). A backend that registers it (core for
 * `cpu`, @graft/backend-wasm for `wasm`) updates each variable in one call, without copying its values
 * out of the backend; the {@link Optimizer} falls back to its JavaScript loop or to elementwise kernels
 * where it is not registered.
 */
export const OPTIMIZER_UPDATE = 'GraftOptimizerUpdate';

/** The update's rule and constants, all numbers computed by the optimizer for this variable and step. */
export interface OptimizerUpdateAttrs {
  optimizer: 'sgd' | 'momentum' | 'adam' | 'adamw';
  /** This variable's learning rate this step. */
  lr: number;
  /** Momentum's velocity decay. */
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** L2 regularisation: `l2·w` added to the gradient (0 for adamw). */
  l2: number;
  /** Decoupled weight decay (adamw, Loshchilov & Hutter 2019): `decay·w` subtracted, decay = lr·wd. */
  decay: number;
  /** Adam's bias corrections `1 − β1^t` and `1 − β2^t`, t this variable's own step count. */
  c1: number;
  c2: number;
}

/** The slot names each rule keeps, in the kernel's input and output order. */
export function slotNames(optimizer: OptimizerUpdateAttrs['optimizer']): string[] {
  return optimizer === 'sgd' ? [] : optimizer === 'momentum' ? ['velocity'] : ['m', 'v'];
}

/**
 * The update in one loop over the values, computed in float64 and rounded once per stored value:
 * `w` and `g` are read, `slots` (in {@link slotNames} order) read, and the results written to `next` and
 * `nextSlots`, which must not alias the inputs. The cpu kernel and the wasm kernel's portable path.
 */
export function updateValues(
  a: OptimizerUpdateAttrs,
  w: Float32Array,
  g: Float32Array,
  slots: readonly Float32Array[],
  next: Float32Array,
  nextSlots: readonly Float32Array[],
): void {
  const { lr, l2 } = a;
  const n = w.length;
  if (a.optimizer === 'sgd') {
    for (let i = 0; i < n; i++) next[i] = w[i]! - lr * (g[i]! + l2 * w[i]!);
  } else if (a.optimizer === 'momentum') {
    const { momentum } = a;
    const [vel] = slots as [Float32Array];
    const [velNext] = nextSlots as [Float32Array];
    for (let i = 0; i < n; i++) {
      velNext[i] = vel[i]! * momentum + (g[i]! + l2 * w[i]!);
      next[i] = w[i]! - lr * velNext[i]!;
    }
  } else {
    const { beta1, beta2, epsilon, c1, c2, decay } = a;
    const [m, v] = slots as [Float32Array, Float32Array];
    const [mNext, vNext] = nextSlots as [Float32Array, Float32Array];
    for (let i = 0; i < n; i++) {
      const wi = w[i]!;
      const gi = g[i]! + l2 * wi;
      const mi = (mNext[i] = beta1 * m[i]! + (1 - beta1) * gi);
      const vi = (vNext[i] = beta2 * v[i]! + (1 - beta2) * gi * gi);
      next[i] = wi - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + epsilon) - decay * wi;
    }
  }
}

interface CpuBackendData {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/** {@link OPTIMIZER_UPDATE} on the cpu backend: {@link updateValues} over the tensors' own arrays. */
export function optimizerUpdateCpu({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown }): tf.TensorInfo[] {
  const a = attrs as OptimizerUpdateAttrs;
  const cpu = backend as CpuBackendData;
  const read = (t: tf.TensorInfo): Float32Array => cpu.data.get(t.dataId).values;
  const w = inputs['w']!;
  const names = slotNames(a.optimizer);
  const n = tf.util.sizeFromShape(w.shape);
  const next = new Float32Array(n);
  const nextSlots = names.map(() => new Float32Array(n));
  updateValues(a, read(w), read(inputs['g']!), names.map((s) => read(inputs[s]!)), next, nextSlots);
  return [next, ...nextSlots].map((values) => cpu.makeTensorInfo(w.shape, 'float32', values));
}
