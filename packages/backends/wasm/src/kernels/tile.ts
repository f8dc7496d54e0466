import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { allocate, byteOffset, size, wasmModule } from './heap.js';
import { wasmKernel } from './originals.js';

/**
 * `Tile` as block copies. BatchNorm's gradient tiles a per-channel vector to the whole activation
 * (`[1,1,1,C]` by `[N,H,W,1]`) once per layer, and tfjs-backend-wasm's Tile computes an index per
 * element, which made it the single most expensive kernel of a MobileNet training step. Here each
 * axis is filled once and then replicated by doubling memmoves (`copyWithin`).
 */
export function tile(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap }): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs['x']!;
  const { reps } = attrs as unknown as tf.TileAttrs;
  if (x.dtype === 'string' || x.dtype === 'complex64' || reps.length !== x.shape.length) {
    return wasmKernel('Tile')(args) as tf.TensorInfo;
  }
  const outShape = x.shape.map((d, i) => d * reps[i]!);
  const out = allocate(backend, outShape, x.dtype);
  if (size(outShape) === 0) return out;
  if (x.shape.length === 0) return wasmKernel('Tile')(args) as tf.TensorInfo;

  const bytes = x.dtype === 'bool' ? 1 : 4;
  const rank = x.shape.length;
  const srcStride = new Array<number>(rank);
  const dstStride = new Array<number>(rank);
  srcStride[rank - 1] = bytes;
  dstStride[rank - 1] = bytes;
  for (let d = rank - 2; d >= 0; d--) {
    srcStride[d] = srcStride[d + 1]! * x.shape[d + 1]!;
    dstStride[d] = dstStride[d + 1]! * outShape[d + 1]!;
  }
  const heap = wasmModule(backend).HEAPU8;

  const fill = (d: number, src: number, dst: number): void => {
    const n = x.shape[d]!;
    if (d === rank - 1) {
      heap.copyWithin(dst, src, src + n * bytes);
    } else {
      for (let i = 0; i < n; i++) fill(d + 1, src + i * srcStride[d]!, dst + i * dstStride[d]!);
    }
    const block = n * dstStride[d]!;
    const total = block * reps[d]!;
    for (let filled = block; filled < total; ) {
      const count = Math.min(filled, total - filled);
      heap.copyWithin(dst + filled, dst, dst + count);
      filled += count;
    }
  };
  fill(0, byteOffset(backend, x), byteOffset(backend, out));
  return out;
}
