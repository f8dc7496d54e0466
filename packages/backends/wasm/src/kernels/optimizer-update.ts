import { slotNames, updateValues, type OptimizerUpdateAttrs } from '@graft/core';
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { allocate, byteOffset, f32 } from './heap.js';
import { simdKernels } from './simd.js';

const RULES = { sgd: 0, momentum: 1, adam: 2, adamw: 2 } as const;

/**
 * Core's `GraftOptimizerUpdate` on the wasm backend: the new weights and slots of one variable
 * allocated on the heap and computed there from the inputs' own memory, by one pass of Graft's SIMD
 * kernel (simd/optimizer.ts: float64 lanes, core's loop operation for operation, so the cpu kernel's
 * bits), or, without it, by core's loop itself over views of the heap. No value leaves the heap, and
 * the inputs are never written.
 */
export function optimizerUpdate(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const { inputs, backend } = args;
  const a = args.attrs as unknown as OptimizerUpdateAttrs;
  const w = inputs['w']!;
  const g = inputs['g']!;
  const slots = slotNames(a.optimizer).map((s) => inputs[s]!);
  const outs = [w, ...slots].map(() => allocate(backend, w.shape));
  const n = outs[0]!.shape.reduce((p, d) => p * d, 1);
  const simd = simdKernels(backend);
  if (simd !== undefined) {
    const at = (t: tf.TensorInfo | undefined): number => (t === undefined ? 0 : byteOffset(backend, t));
    simd.optimizerUpdate(
      RULES[a.optimizer], at(w), at(g), at(slots[0]), at(slots[1]), at(outs[0]), at(outs[1]), at(outs[2]), n,
      a.lr, a.momentum, a.beta1, a.beta2, a.epsilon, a.l2, a.decay, a.c1, a.c2,
    );
  } else {
    // Views made after every allocation above (the heap may have grown and replaced its buffer).
    const view = (t: tf.TensorInfo): Float32Array => f32(backend, t);
    updateValues(a, view(w), view(g), slots.map(view), view(outs[0]!), outs.slice(1).map(view));
  }
  return outs;
}
