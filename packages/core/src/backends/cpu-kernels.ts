import * as tf from '@tensorflow/tfjs';
import { OPTIMIZER_UPDATE, optimizerUpdateCpu } from '../train/optimizer-update.js';

type Conv2DBackpropFilterAttrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
};

interface CpuBackendData {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/**
 * The gradient of a 2-D convolution with respect to its filter, on the cpu backend: tfjs's own loops in
 * their order (so the same float32 result, bit for bit), reading the inputs by flat index. tfjs's kernel reads
 * every element through `TensorBuffer.get(...locs)`, whose argument handling made it about half of the time
 * of a small CNN's training step on cpu.
 */
function conv2DBackpropFilter({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown }): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as Conv2DBackpropFilterAttrs;
  const cpu = backend as CpuBackendData;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(dataFormat),
  );
  const { strideHeight, strideWidth, filterHeight, filterWidth, inChannels, outChannels, batchSize, inHeight, inWidth, outHeight, outWidth } = info;
  const channelsLast = info.dataFormat === 'channelsLast';
  const xv = cpu.data.get(x.dataId).values;
  const dyv = cpu.data.get(dy.dataId).values;
  // Row-major strides of x [b, h, w, c] or [b, c, h, w], and of dy alike.
  const [xb, xr, xc, xd] = channelsLast ? [inHeight * inWidth * inChannels, inWidth * inChannels, inChannels, 1] : [inChannels * inHeight * inWidth, inWidth, 1, inHeight * inWidth];
  const [yb, yr, yc, yd] = channelsLast ? [outHeight * outWidth * outChannels, outWidth * outChannels, outChannels, 1] : [outChannels * outHeight * outWidth, outWidth, 1, outHeight * outWidth];
  const dW = new Float32Array(filterHeight * filterWidth * inChannels * outChannels);
  const left = info.padInfo.left;
  const top = info.padInfo.top;
  for (let wR = 0; wR < filterHeight; ++wR) {
    const yRMin = Math.max(0, Math.ceil((top - wR) / strideHeight));
    const yRMax = Math.min(outHeight, (inHeight + top - wR) / strideHeight);
    for (let wC = 0; wC < filterWidth; ++wC) {
      const yCMin = Math.max(0, Math.ceil((left - wC) / strideWidth));
      const yCMax = Math.min(outWidth, (inWidth + left - wC) / strideWidth);
      for (let d1 = 0; d1 < inChannels; ++d1) {
        for (let d2 = 0; d2 < outChannels; ++d2) {
          let dot = 0;
          for (let b = 0; b < batchSize; ++b) {
            for (let yR = yRMin; yR < yRMax; ++yR) {
              const xR = wR + yR * strideHeight - top;
              const xRow = b * xb + xR * xr + d1 * xd;
              const yRow = b * yb + yR * yr + d2 * yd;
              for (let yC = yCMin; yC < yCMax; ++yC) {
                const xC = wC + yC * strideWidth - left;
                dot += xv[xRow + xC * xc]! * dyv[yRow + yC * yc]!;
              }
            }
          }
          dW[((wR * filterWidth + wC) * inChannels + d1) * outChannels + d2] = dot;
        }
      }
    }
  }
  return cpu.makeTensorInfo(info.filterShape, 'float32', dW);
}

/**
 * Replaces tfjs's slow cpu kernels with the ones above and registers the optimizer's one-pass update
 * ({@link OPTIMIZER_UPDATE}) for cpu (idempotent).
 */
export function registerCpuKernels(): void {
  if (tf.getKernel(OPTIMIZER_UPDATE, 'cpu') === undefined) {
    tf.registerKernel({ kernelName: OPTIMIZER_UPDATE, backendName: 'cpu', kernelFunc: optimizerUpdateCpu as unknown as tf.KernelFunc });
  }
  if (tf.getKernel('Conv2DBackpropFilter', 'cpu')?.kernelFunc === conv2DBackpropFilter) return;
  if (tf.getKernel('Conv2DBackpropFilter', 'cpu')) tf.unregisterKernel('Conv2DBackpropFilter', 'cpu');
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'cpu', kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc });
}
