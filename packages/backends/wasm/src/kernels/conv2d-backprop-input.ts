import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convGeometry, maxColumnFloats, type ConvGeometry } from './conv-info.js';
import { allocate, byteOffset, f32, free, releaseView, transpose2d, view, zeros } from './heap.js';
import { gemm } from './matmul.js';
import { simdKernels } from './simd.js';

/**
 * Gradient of a 2-D convolution with respect to its input (also the forward pass of a transposed
 * convolution). tfjs-backend-wasm has this kernel but as a naive loop (~1.5 GFLOP/s); this one is
 * one XNNPACK product `dcol = dy · Wᵀ` followed by col2im, the scatter-add of each column back to
 * the input positions it was read from. For a 1×1 stride-1 unpadded convolution `dcol` is `dx`, and
 * where the engine has WebAssembly SIMD Graft's kernel (simd/input-grad.ts) computes it from `dy` and
 * the filter in place of the JS transpose, XNNPACK's per-call packing and its product. For other
 * convolutions that module computes `dcol` (the same tiles, the filter read as a [kh·kw·ci, co] matrix)
 * and scatters it one output row at a time, so `dcol` never leaves L1 (simd/input-grad.ts).
 */
export function conv2DBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs['dy']!;
  const filter = inputs['filter']!;
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const g = convGeometry('Conv2DBackpropInput', a.inputShape, filter.shape, a.strides, 1, a.pad, a.dimRoundingMode, false, a.dataFormat);
  const rows = g.filterHeight * g.filterWidth * g.inChannels;
  const pointwise =
    g.filterHeight === 1 && g.filterWidth === 1 && g.strideHeight === 1 && g.strideWidth === 1 &&
    g.padTop === 0 && g.padLeft === 0 && g.outHeight === g.inHeight && g.outWidth === g.inWidth;
  const simd = simdKernels(backend);
  if (simd !== undefined && pointwise) {
    const dx = allocate(backend, a.inputShape);
    const packed = allocate(backend, [Math.max(1, (g.inChannels & ~7) * g.outChannels)]);
    simd.pointwiseInputGrad(
      byteOffset(backend, dy), byteOffset(backend, filter), byteOffset(backend, packed), byteOffset(backend, dx),
      g.batch * g.inHeight * g.inWidth, g.inChannels, g.outChannels,
    );
    free(backend, packed);
    return dx;
  }
  if (simd !== undefined) {
    const padded = Math.ceil(rows / 8) * 8;
    const dx = allocate(backend, a.inputShape);
    const packed = allocate(backend, [padded * g.outChannels]);
    const scratch = allocate(backend, [g.outWidth * padded]);
    simd.convInputGrad(
      byteOffset(backend, dy), byteOffset(backend, filter), byteOffset(backend, packed), byteOffset(backend, scratch),
      byteOffset(backend, dx), g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.outChannels,
      g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth, g.padTop, g.padLeft,
    );
    free(backend, scratch);
    free(backend, packed);
    return dx;
  }

  // Wᵀ: [outChannels, kh·kw·inChannels], small, transposed in JS so the product needs no transpose.
  const filterT = allocate(backend, [g.outChannels, rows]);
  transpose2d(f32(backend, filter), 0, rows, g.outChannels, f32(backend, filterT), 0);

  if (pointwise) {
    const dx = allocate(backend, a.inputShape);
    gemm(backend, dy, g.batch * g.outHeight * g.outWidth, g.outChannels, filterT, rows, dx);
    free(backend, filterT);
    return dx;
  }

  const dx = zeros(backend, a.inputShape);
  const perImage = g.outHeight * g.outWidth;
  const imagesPerChunk = Math.max(1, Math.floor(maxColumnFloats() / (rows * perImage)));
  for (let b0 = 0; b0 < g.batch; b0 += imagesPerChunk) {
    const nb = Math.min(imagesPerChunk, g.batch - b0);
    const cols = nb * perImage;
    const dcol = allocate(backend, [cols, rows]);
    const dyChunk = view(backend, dy, b0 * perImage * g.outChannels, [cols, g.outChannels]);
    gemm(backend, dyChunk, cols, g.outChannels, filterT, rows, dcol);
    releaseView(backend, dyChunk);
    scatterColumns(f32(backend, dcol), f32(backend, dx), g, b0, nb);
    free(backend, dcol);
  }
  free(backend, filterT);
  return dx;
}

/** col2im: `dx[b, iy, ix, :] += dcol[(b,oy,ox), (fy,fx,:)]` for every tap that read `(iy, ix)`. */
function scatterColumns(dcol: Float32Array, dx: Float32Array, g: ConvGeometry, b0: number, nb: number): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW } = g;
  const rowLength = KH * KW * C;
  let j = 0;
  for (let b = b0; b < b0 + nb; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++, j += rowLength) {
        for (let fy = 0; fy < KH; fy++) {
          const iy = oy * g.strideHeight - g.padTop + fy * g.dilationHeight;
          if (iy < 0 || iy >= H) continue;
          for (let fx = 0; fx < KW; fx++) {
            const ix = ox * g.strideWidth - g.padLeft + fx * g.dilationWidth;
            if (ix < 0 || ix >= W) continue;
            const d = ((b * H + iy) * W + ix) * C;
            const s = j + (fy * KW + fx) * C;
            for (let c = 0; c < C; c++) dx[d + c]! += dcol[s + c]!;
          }
        }
      }
    }
  }
}
