import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convGeometry, type ConvGeometry } from './conv-info.js';
import { allocate, byteOffset, f32, free, wasmModule, zeros } from './heap.js';
import { wasmKernel } from './originals.js';
import { simdKernels } from './simd.js';

/**
 * Gradient of a depthwise convolution with respect to its filter:
 * `dW[fy,fx,c,m] = Σ_(b,oy,ox) x[b, oy·sh+fy·dh−pt, ox·sw+fx·dw−pl, c] · dy[b,oy,ox,c·M+m]`,
 * Multiplier 1 runs Graft's SIMD kernel (per-tap accumulators, one pass over `dy`; see simd/filter-grad.ts)
 * where the engine has WebAssembly SIMD, else three XNNPACK passes. With a channel multiplier above 1
 * (rare), shifted multiply-adds in JS summed in double precision.
 */
export function depthwiseConv2dNativeBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const xInfo = inputs['x']!;
  const dyInfo = inputs['dy']!;
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const g = convGeometry(
    'DepthwiseConv2dNativeBackpropFilter',
    xInfo.shape,
    a.filterShape,
    a.strides,
    a.dilations,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  const { inChannels: C, filterHeight: KH, filterWidth: KW } = g;
  const M = g.outChannels / C;
  if (M === 1) {
    const simd = simdKernels(backend);
    if (simd === undefined) return viaTapColumns(backend, xInfo, dyInfo, g, a.filterShape);
    const out = allocate(backend, a.filterShape);
    simd.depthwiseFilterGrad(
      byteOffset(backend, xInfo), byteOffset(backend, dyInfo), byteOffset(backend, out),
      g.batch, g.inHeight, g.inWidth, C, g.outHeight, g.outWidth, KH, KW,
      g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth, g.padTop, g.padLeft,
    );
    return out;
  }
  const acc = new Float64Array(KH * KW * C * M);
  const out = allocate(backend, a.filterShape);
  accumulateWithMultiplier(f32(backend, xInfo), f32(backend, dyInfo), acc, g, M);
  f32(backend, out).set(acc);
  return out;
}

/**
 * Multiplier 1, on XNNPACK: the input each tap reads at every output position is gathered into
 * `cols[tap, position, c]` (row segments copied with memmove, zeros in the padding), multiplied by
 * `dy` broadcast over the taps, and summed over positions by an average pooling with a
 * `positions × 1` window (times the count). Three fast passes instead of a JS multiply-add loop.
 */
function viaTapColumns(
  backend: BackendWasm,
  xInfo: tf.TensorInfo,
  dyInfo: tf.TensorInfo,
  g: ConvGeometry,
  filterShape: number[],
): tf.TensorInfo {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW } = g;
  const taps = KH * KW;
  const positions = g.batch * OH * OW;
  const cols = zeros(backend, [taps, positions, C]);
  const heap = new Float32Array(wasmModule(backend).HEAPU8.buffer);
  const xBase = byteOffset(backend, xInfo) / 4;
  const colBase = byteOffset(backend, cols) / 4;
  const sw = g.strideWidth;
  for (let fy = 0; fy < KH; fy++) {
    for (let fx = 0; fx < KW; fx++) {
      const shift = fx * g.dilationWidth - g.padLeft;
      const ox0 = Math.max(0, Math.ceil(-shift / sw));
      const ox1 = Math.min(OW, Math.floor((W - 1 - shift) / sw) + 1);
      if (ox1 <= ox0) continue;
      const tapBase = colBase + (fy * KW + fx) * positions * C;
      for (let b = 0; b < g.batch; b++) {
        for (let oy = 0; oy < OH; oy++) {
          const iy = oy * g.strideHeight - g.padTop + fy * g.dilationHeight;
          if (iy < 0 || iy >= H) continue;
          const src = xBase + ((b * H + iy) * W + shift) * C;
          const dst = tapBase + (b * OH + oy) * OW * C;
          if (sw === 1) {
            heap.copyWithin(dst + ox0 * C, src + ox0 * C, src + ox1 * C);
          } else {
            for (let ox = ox0; ox < ox1; ox++) heap.copyWithin(dst + ox * C, src + ox * sw * C, src + ox * sw * C + C);
          }
        }
      }
    }
  }
  const products = wasmKernel('Multiply')({
    inputs: { a: cols, b: { ...dyInfo, shape: [1, positions, C] } },
    backend,
    attrs: {},
  }) as tf.TensorInfo;
  free(backend, cols);
  const pooled = wasmKernel('AvgPool')({
    inputs: { x: { ...products, shape: [taps, positions, 1, C] } },
    backend,
    attrs: { filterSize: [positions, 1], strides: [1, 1], pad: 'valid' },
  }) as tf.TensorInfo;
  free(backend, products);
  const values = f32(backend, pooled);
  if (values.some((v) => !Number.isFinite(v))) {
    // XNNPACK clamps outputs (a NaN becomes ±∞); redo non-finite cases exactly, in JS.
    free(backend, pooled);
    const acc = new Float64Array(taps * C);
    accumulateWithMultiplier(f32(backend, xInfo), f32(backend, dyInfo), acc, g, 1);
    const out = allocate(backend, filterShape);
    f32(backend, out).set(acc);
    return out;
  }
  for (let i = 0; i < values.length; i++) values[i] = values[i]! * positions;
  return { ...pooled, shape: filterShape };
}

/** `dW[fy,fx,c,m] += x[…,c] · dy[…,c·M+m]`, tap by tap, in double precision (multiplier > 1, non-finite values). */
function accumulateWithMultiplier(x: Float32Array, dy: Float32Array, acc: Float64Array, g: ConvGeometry, M: number): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW } = g;
  const CM = C * M;
  for (let fy = 0; fy < KH; fy++) {
    for (let fx = 0; fx < KW; fx++) {
      const k = (fy * KW + fx) * CM;
      for (let b = 0; b < g.batch; b++) {
        for (let oy = 0; oy < OH; oy++) {
          const iy = oy * g.strideHeight - g.padTop + fy * g.dilationHeight;
          if (iy < 0 || iy >= H) continue;
          for (let ox = 0; ox < OW; ox++) {
            const ix = ox * g.strideWidth - g.padLeft + fx * g.dilationWidth;
            if (ix < 0 || ix >= W) continue;
            const xs = ((b * H + iy) * W + ix) * C;
            const ds = ((b * OH + oy) * OW + ox) * CM;
            for (let c = 0; c < C; c++) {
              const xv = x[xs + c]!;
              for (let m = 0; m < M; m++) acc[k + c * M + m]! += xv * dy[ds + c * M + m]!;
            }
          }
        }
      }
    }
  }
}
