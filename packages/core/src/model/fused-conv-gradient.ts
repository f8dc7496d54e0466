import * as tf from '@tensorflow/tfjs';
import { maskedGrad } from './masked-grad.js';

/**
 * Gradients for tfjs' `FusedConv2D` and `FusedDepthwiseConv2D` kernels (convolution, bias, activation in
 * one call), for a convolution with its BatchNorm folded in (see folded-chain.ts) run under a gradient
 * tape. tfjs registers none: its `tf.fused` ops wrap the kernel in `tf.customGrad`, which computes every
 * input's gradient (the input image's too) and cannot differentiate relu6. These are registered kernel
 * gradients, so the tape asks only for the gradients on the path to the variables: no input gradient
 * for the first convolution or one whose input is a constant.
 *
 * For `y = act(conv(x, W) + b)`: `dz = dy·act′` (masked by the saved output y: `0 < y` for ReLU,
 * `0 < y < 6` for relu6; exactly where the unfused activation passes its gradient), then
 * `dx = conv2dBackpropInput(dz, W)`, `dW = conv2dBackpropFilter(x, dz)`, `db = Σ dz` over N, H, W.
 * Stride and padding as in the forward call; dilation 1 and NHWC only, the cases tfjs can differentiate.
 */
const KERNELS = ['FusedConv2D', 'FusedDepthwiseConv2D'] as const;

/** Idempotent; keeps a gradient tfjs itself may register for these kernels in a later version. */
export function registerFusedConvGradients(): void {
  for (const kernelName of KERNELS) {
    if (tf.getGradient(kernelName) !== undefined) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: ['x', 'filter'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => fusedConvGrad(kernelName === 'FusedDepthwiseConv2D', dy as tf.Tensor4D, saved, attrs),
    });
  }
}

interface FusedConvAttrs {
  strides: [number, number] | number;
  pad: 'same' | 'valid';
  dilations: [number, number] | number;
  activation?: string;
  dataFormat?: string;
}

function fusedConvGrad(depthwise: boolean, dy: tf.Tensor4D, saved: tf.Tensor[], attrs: tf.NamedAttrMap): Record<string, () => tf.Tensor> {
  const [x, filter, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
  const { strides, pad, dilations, activation = 'linear', dataFormat = 'NHWC' } = attrs as unknown as FusedConvAttrs;
  const dilation = Array.isArray(dilations) ? dilations : [dilations, dilations];
  if (dilation.some((d) => d !== 1) || dataFormat !== 'NHWC') {
    throw new Error(`Gradient of a fused convolution: dilations ${dilation.join('×')} and ${dataFormat} are not supported`);
  }
  const dz = activationGrad(dy, y, activation);
  const engine = tf.engine();
  const conv = { strides, pad } as tf.NamedAttrMap;
  const run = (kernel: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap) => engine.runKernel(kernel, inputs, { ...conv, ...attrs }) as tf.Tensor;
  return {
    x: () =>
      depthwise
        ? run('DepthwiseConv2dNativeBackpropInput', { dy: dz, filter }, { dilations: 1, inputShape: x.shape })
        : run('Conv2DBackpropInput', { dy: dz, filter }, { dataFormat: 'NHWC', inputShape: x.shape }),
    filter: () =>
      depthwise
        ? run('DepthwiseConv2dNativeBackpropFilter', { x, dy: dz }, { dilations: 1, filterShape: filter.shape })
        : run('Conv2DBackpropFilter', { x, dy: dz }, { dataFormat: 'NHWC', filterShape: filter.shape }),
    bias: () => tf.sum(dz, [0, 1, 2]),
  };
}

export type FusedActivation = 'linear' | 'relu' | 'relu6';

/** dy masked where the activation passed its input on, from the activation's output y. */
export function activationGrad(dy: tf.Tensor, y: tf.Tensor, activation: string): tf.Tensor {
  if (activation === 'linear') return dy;
  if (activation === 'relu') return maskedGrad(dy, y, 'positive');
  if (activation === 'relu6') return maskedGrad(dy, y, 'between', 6);
  throw new Error(`Gradient of a fused convolution with activation ${activation} is not supported`);
}
