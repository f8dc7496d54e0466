import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32, i32, size, zeros } from './heap.js';

/**
 * `out[s, …] = Σ_{i : ids[i] = s} x[i, …]`, the gradient of `gather` (embedding lookups). Ids outside
 * `[0, numSegments)` are dropped, as TensorFlow does. `segmentIds` may have any rank r; it indexes
 * the first r axes of `x`.
 */
export function unsortedSegmentSum(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs['x']!;
  const segmentIds = inputs['segmentIds']!;
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum on the wasm backend supports float32 and int32, got ${x.dtype}.`);
  }
  const idRank = segmentIds.shape.length;
  const inner = size(x.shape.slice(idRank));
  const out = zeros(backend, [numSegments, ...x.shape.slice(idRank)], x.dtype);
  const ids = segmentIds.dtype === 'int32' ? i32(backend, segmentIds) : f32(backend, segmentIds);
  const src = x.dtype === 'float32' ? f32(backend, x) : i32(backend, x);
  const dst = x.dtype === 'float32' ? f32(backend, out) : i32(backend, out);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const d = s * inner;
    const o = i * inner;
    for (let j = 0; j < inner; j++) dst[d + j]! += src[o + j]!;
  }
  return out;
}
