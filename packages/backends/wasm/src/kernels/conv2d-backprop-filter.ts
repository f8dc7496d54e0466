import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convGeometry, maxColumnFloats, type ConvGeometry } from './conv-info.js';
import { allocate, byteOffset, f32, free, releaseView, transpose2d, view } from './heap.js';
import { gemm } from './matmul.js';
import { simdKernels } from './simd.js';

/**
 * Gradient of a 2-D convolution with respect to its filter:
 * `dW[(fy,fx,ci), co] = Σ_(b,oy,ox) x[b, oy·sh+fy·dh−pt, ox·sw+fx·dw−pl, ci] · dy[b,oy,ox,co]`.
 *
 * Where the engine has WebAssembly SIMD, Graft's kernels (simd/filter-grad.ts) read x and dy in place
 * in 4×8 register tiles, tap by tap (1×1 convolutions: in position blocks that fit L1): no im2col, no packing, 1.5–9× faster than the path below on
 * MobileNet's layers (bench/backends/ab-simd.mjs). Otherwise, one XNNPACK matrix product between the im2col matrix `col` ([positions, kh·kw·ci], built in JS on
 * the heap; for a 1×1 stride-1 unpadded convolution it is `x` itself) and `dy` ([positions, co]).
 *
 * XNNPACK's product packs its right operand afresh for every new tensor, which here costs more than
 * the arithmetic (the contraction runs over all positions), so the narrower of the two is the one
 * packed: `dW = colᵀ·dy` when `col` is wider, else `dW = (dyᵀ·col)ᵀ`. Transposing in JS is cheaper
 * per element than packing.
 */
export function conv2DBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs['x']!;
  const dy = inputs['dy']!;
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const g = convGeometry('Conv2DBackpropFilter', x.shape, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, a.dataFormat);
  const simd = simdKernels(backend);
  if (simd !== undefined) {
    const out = allocate(backend, a.filterShape);
    if (isPointwise(g)) {
      const positions = g.batch * g.inHeight * g.inWidth;
      simd.pointwiseFilterGrad(byteOffset(backend, x), byteOffset(backend, dy), byteOffset(backend, out), positions, g.inChannels, g.outChannels);
      return out;
    }
    simd.convFilterGrad(
      byteOffset(backend, x), byteOffset(backend, dy), byteOffset(backend, out),
      g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.outChannels,
      g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth,
      g.padTop, g.padLeft,
    );
    return out;
  }
  const width = g.filterHeight * g.filterWidth * g.inChannels;
  const perImage = g.outHeight * g.outWidth;
  const imagesPerChunk = Math.max(1, Math.floor(maxColumnFloats() / (width * perImage)));

  const out = allocate(backend, a.filterShape);
  if (imagesPerChunk >= g.batch) {
    productInto(backend, x, dy, g, 0, g.batch, width, out);
    return out;
  }
  // Chunks keep im2col bounded; their partial products are summed in double precision.
  const total = new Float64Array(width * g.outChannels);
  const partial = allocate(backend, a.filterShape);
  for (let b0 = 0; b0 < g.batch; b0 += imagesPerChunk) {
    productInto(backend, x, dy, g, b0, Math.min(imagesPerChunk, g.batch - b0), width, partial);
    const p = f32(backend, partial);
    for (let i = 0; i < total.length; i++) total[i]! += p[i]!;
  }
  free(backend, partial);
  f32(backend, out).set(total);
  return out;
}

function isPointwise(g: ConvGeometry): boolean {
  return (
    g.filterHeight === 1 && g.filterWidth === 1 && g.strideHeight === 1 && g.strideWidth === 1 &&
    g.padTop === 0 && g.padLeft === 0 && g.outHeight === g.inHeight && g.outWidth === g.inWidth
  );
}

/** `target[width, co] = Σ` over images `b0 … b0+nb−1`. */
function productInto(
  backend: BackendWasm,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  g: ConvGeometry,
  b0: number,
  nb: number,
  width: number,
  target: tf.TensorInfo,
): void {
  const positions = nb * g.outHeight * g.outWidth;
  const co = g.outChannels;
  const dyChunk = view(backend, dy, b0 * g.outHeight * g.outWidth * co, [positions, co]);
  if (co <= width) {
    // Pack dy: dW = colᵀ · dy.
    const colT = allocate(backend, [width, positions]);
    if (isPointwise(g)) {
      transpose2d(f32(backend, x), b0 * g.inHeight * g.inWidth * g.inChannels, positions, width, f32(backend, colT), 0);
    } else {
      fillColumns(f32(backend, x), f32(backend, colT), g, b0, nb, true);
    }
    gemm(backend, colT, width, positions, dyChunk, co, target);
    free(backend, colT);
  } else {
    // Pack col: dWᵀ = dyᵀ · col.
    const dyT = allocate(backend, [co, positions]);
    transpose2d(f32(backend, dyChunk), 0, positions, co, f32(backend, dyT), 0);
    let col: tf.TensorInfo;
    let ownsCol = false;
    if (isPointwise(g)) {
      col = view(backend, x, b0 * g.inHeight * g.inWidth * g.inChannels, [positions, width]);
    } else {
      col = allocate(backend, [positions, width]);
      ownsCol = true;
      fillColumns(f32(backend, x), f32(backend, col), g, b0, nb, false);
    }
    const product = allocate(backend, [co, width]);
    gemm(backend, dyT, co, positions, col, width, product);
    transpose2d(f32(backend, product), 0, co, width, f32(backend, target), 0);
    free(backend, product);
    if (ownsCol) free(backend, col);
    else releaseView(backend, col);
    free(backend, dyT);
  }
  releaseView(backend, dyChunk);
}

/**
 * im2col over images `b0 … b0+nb−1`: the value each tap (fy, fx, ci) reads at each output position,
 * 0 in the padding; `[positions, taps]` or, `transposed`, `[taps, positions]`.
 */
function fillColumns(x: Float32Array, col: Float32Array, g: ConvGeometry, b0: number, nb: number, transposed: boolean): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const taps = g.filterHeight * g.filterWidth * C;
  const positions = nb * OH * OW;
  const tapStride = transposed ? positions : 1;
  const positionStride = transposed ? 1 : taps;
  for (let fy = 0; fy < g.filterHeight; fy++) {
    for (let fx = 0; fx < g.filterWidth; fx++) {
      for (let ci = 0; ci < C; ci++) {
        const tap = (fy * g.filterWidth + fx) * C + ci;
        let p = 0;
        for (let b = b0; b < b0 + nb; b++) {
          for (let oy = 0; oy < OH; oy++) {
            const iy = oy * g.strideHeight - g.padTop + fy * g.dilationHeight;
            const rowBase = (b * H + iy) * W;
            for (let ox = 0; ox < OW; ox++, p++) {
              const ix = ox * g.strideWidth - g.padLeft + fx * g.dilationWidth;
              const inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
              col[tap * tapStride + p * positionStride] = inside ? x[(rowBase + ix) * C + ci]! : 0;
            }
          }
        }
      }
    }
  }
}
