import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { allocate, byteOffset, size } from './heap.js';
import { wasmKernel } from './originals.js';
import { simdKernels } from './simd.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: tf.NamedAttrMap };

const OPS = { Multiply: 0, Add: 1, Sub: 2, RealDiv: 3 } as const;
type BinaryKernel = keyof typeof OPS;

/** `shape` is one value per channel of `full`: [c] or [1, …, 1, c], of no higher rank, with c > 1. */
function perChannelOf(shape: number[], full: number[]): boolean {
  const c = full[full.length - 1];
  if (shape.length === 0 || shape.length > full.length || c === undefined || c < 2) return false;
  return shape[shape.length - 1] === c && shape.slice(0, -1).every((d) => d === 1);
}

/**
 * `Multiply`, `Add`, `Sub` and `RealDiv` of float32 tensors where one operand is per-channel (BatchNorm's
 * statistics and its gradient, applied to whole activations): one pass of Graft's SIMD kernel
 * (simd/binary.ts) instead of tfjs-backend-wasm's broadcasting path (~3 ns per element). Every other
 * case, and engines without the SIMD kernels, go to the original kernel.
 */
function channelBinary(args: KernelArgs, kernelName: BinaryKernel): tf.TensorInfo {
  const { inputs, backend } = args;
  const a = inputs['a']!;
  const b = inputs['b']!;
  const simd = a.dtype === 'float32' && b.dtype === 'float32' ? simdKernels(backend) : undefined;
  if (simd !== undefined) {
    const channelFirst = perChannelOf(a.shape, b.shape) && size(b.shape) > size(a.shape);
    const channelSecond = !channelFirst && perChannelOf(b.shape, a.shape) && size(a.shape) > size(b.shape);
    if (channelFirst || channelSecond) {
      const [full, channel] = channelFirst ? [b, a] : [a, b];
      const c = full.shape[full.shape.length - 1]!;
      const out = allocate(backend, full.shape);
      simd.channelBinary(
        byteOffset(backend, full), byteOffset(backend, channel), byteOffset(backend, out),
        size(full.shape) / c, c, OPS[kernelName], channelFirst ? 1 : 0,
      );
      return out;
    }
  }
  return wasmKernel(kernelName)(args) as tf.TensorInfo;
}

export const multiply = (args: KernelArgs): tf.TensorInfo => channelBinary(args, 'Multiply');
export const add = (args: KernelArgs): tf.TensorInfo => channelBinary(args, 'Add');
export const sub = (args: KernelArgs): tf.TensorInfo => channelBinary(args, 'Sub');
export const realDiv = (args: KernelArgs): tf.TensorInfo => channelBinary(args, 'RealDiv');
