import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convGeometry, type ConvGeometry } from './conv-info.js';
import { allocate, byteOffset, f32, free, zeros } from './heap.js';
import { wasmKernel } from './originals.js';
import { simdKernels } from './simd.js';

/**
 * Gradient of a depthwise convolution with respect to its input.
 *
 * With channel multiplier 1 it is itself a depthwise convolution, run by the backend's XNNPACK
 * kernel: `dx = depthwise(dy↑s, rot180(W))` at stride 1 with the filter's dilation, where `dy↑s`
 * is `dy` with `s−1` zeros inserted between rows/columns and the padding is the complement
 * `(k−1)·d − pad`. Where the engine has WebAssembly SIMD, Graft's kernel (simd/input-grad.ts) scatters
 * dy times each tap's weights into dx row by row instead (no zero-inserted copy of dy, no rotated
 * filter, no XNNPACK operator per call) for the shapes where that is faster (see below). With a multiplier above 1 (several outputs per input channel) the shifted
 * multiply-adds are done in JS on the heap.
 */
export function depthwiseConv2dNativeBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs['dy']!;
  const filter = inputs['filter']!;
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const g = convGeometry(
    'DepthwiseConv2dNativeBackpropInput',
    a.inputShape,
    filter.shape,
    a.strides,
    a.dilations,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  const multiplier = g.outChannels / g.inChannels;
  const effH = (g.filterHeight - 1) * g.dilationHeight + 1;
  const effW = (g.filterWidth - 1) * g.dilationWidth + 1;
  const fitsXnnpack =
    multiplier === 1 &&
    g.padTop <= effH - 1 && g.padBottom <= effH - 1 && g.padLeft <= effW - 1 && g.padRight <= effW - 1;
  // The scatter wins where XNNPACK needs a zero-inserted copy of dy (strides: 3.5–5× at MobileNet's
  // shapes) and with many channels (1.2–1.8× from 128); at stride 1 with few channels XNNPACK's
  // register-accumulating convolution is faster (0.6× at 8 channels) and keeps the case.
  const strided = g.strideHeight > 1 || g.strideWidth > 1;
  const simd = multiplier === 1 && (strided || g.inChannels >= 64 || !fitsXnnpack) ? simdKernels(backend) : undefined;
  if (simd !== undefined) {
    const dx = allocate(backend, a.inputShape);
    simd.depthwiseInputGrad(
      byteOffset(backend, dy), byteOffset(backend, filter), byteOffset(backend, dx),
      g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.filterHeight, g.filterWidth,
      g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth, g.padTop, g.padLeft,
    );
    return dx;
  }
  return fitsXnnpack ? viaDepthwiseForward(backend, dy, filter, g, effH, effW) : viaScatter(backend, dy, filter, g, multiplier);
}

function viaDepthwiseForward(
  backend: BackendWasm,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  g: ConvGeometry,
  effH: number,
  effW: number,
): tf.TensorInfo {
  const { inChannels: C, filterHeight: KH, filterWidth: KW } = g;
  const upH = (g.outHeight - 1) * g.strideHeight + 1;
  const upW = (g.outWidth - 1) * g.strideWidth + 1;
  const strided = g.strideHeight > 1 || g.strideWidth > 1;
  const up = strided ? zeros(backend, [g.batch, upH, upW, C]) : dy;
  const rotated = allocate(backend, [KH, KW, C, 1]);

  if (strided) {
    const src = f32(backend, dy);
    const dst = f32(backend, up);
    for (let b = 0; b < g.batch; b++) {
      for (let oy = 0; oy < g.outHeight; oy++) {
        for (let ox = 0; ox < g.outWidth; ox++) {
          const s = ((b * g.outHeight + oy) * g.outWidth + ox) * C;
          const d = ((b * upH + oy * g.strideHeight) * upW + ox * g.strideWidth) * C;
          for (let c = 0; c < C; c++) dst[d + c] = src[s + c]!;
        }
      }
    }
  }
  const w = f32(backend, filter);
  const r = f32(backend, rotated);
  for (let fy = 0; fy < KH; fy++) {
    for (let fx = 0; fx < KW; fx++) {
      const s = ((KH - 1 - fy) * KW + (KW - 1 - fx)) * C;
      r.set(w.subarray(s, s + C), (fy * KW + fx) * C);
    }
  }

  const top = effH - 1 - g.padTop;
  const left = effW - 1 - g.padLeft;
  const bottom = g.inHeight - upH - top + effH - 1;
  const right = g.inWidth - upW - left + effW - 1;
  const dx = wasmKernel('DepthwiseConv2dNative')({
    inputs: { x: { ...up, shape: [g.batch, upH, upW, C] }, filter: rotated },
    backend,
    attrs: {
      strides: [1, 1],
      dilations: [g.dilationHeight, g.dilationWidth],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
    },
  }) as tf.TensorInfo;
  free(backend, rotated);
  if (strided) free(backend, up);
  return dx;
}

/** `dx[b,iy,ix,c] += Σ_m dy[b,oy,ox,c·M+m] · W[fy,fx,c,m]` over the taps that read `(iy, ix)`. */
function viaScatter(
  backend: BackendWasm,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  g: ConvGeometry,
  M: number,
): tf.TensorInfo {
  const dxInfo = zeros(backend, [g.batch, g.inHeight, g.inWidth, g.inChannels]);
  const dx = f32(backend, dxInfo);
  const dyv = f32(backend, dy);
  const w = f32(backend, filter);
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW } = g;
  const CM = C * M;
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const s = ((b * OH + oy) * OW + ox) * CM;
        for (let fy = 0; fy < KH; fy++) {
          const iy = oy * g.strideHeight - g.padTop + fy * g.dilationHeight;
          if (iy < 0 || iy >= H) continue;
          for (let fx = 0; fx < KW; fx++) {
            const ix = ox * g.strideWidth - g.padLeft + fx * g.dilationWidth;
            if (ix < 0 || ix >= W) continue;
            const d = ((b * H + iy) * W + ix) * C;
            const k = (fy * KW + fx) * CM;
            if (M === 1) {
              for (let c = 0; c < C; c++) dx[d + c]! += dyv[s + c]! * w[k + c]!;
            } else {
              for (let c = 0; c < C; c++) {
                let sum = 0;
                for (let m = 0; m < M; m++) sum += dyv[s + c * M + m]! * w[k + c * M + m]!;
                dx[d + c]! += sum;
              }
            }
          }
        }
      }
    }
  }
  return dxInfo;
}
