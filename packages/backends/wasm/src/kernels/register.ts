import { BATCH_NORM_GRAD_SUMS, MASKED_GRAD, OPTIMIZER_UPDATE } from '@graft/core';
import * as tf from '@tensorflow/tfjs';
import { maskedGrad, registerActivationGradients } from './activation-grad.js';
import { batchMatMul } from './batch-mat-mul.js';
import { fusedBatchNorm } from './batch-norm.js';
import { batchNormGradSums, registerBatchNormGradient } from './batch-norm-grad.js';
import { add, multiply, realDiv, sub } from './channel-binary.js';
import { greater, less } from './compare.js';
import { conv2DBackpropFilter } from './conv2d-backprop-filter.js';
import { conv2DBackpropInput } from './conv2d-backprop-input.js';
import { depthwiseConv2dNativeBackpropFilter } from './depthwise-backprop-filter.js';
import { depthwiseConv2dNativeBackpropInput } from './depthwise-backprop-input.js';
import { identity } from './identity.js';
import { maximum, minimum } from './min-max.js';
import { rememberOriginal } from './originals.js';
import { optimizerUpdate } from './optimizer-update.js';
import { mean, sum } from './reduce.js';
import { tile } from './tile.js';
import { unsortedSegmentSum } from './unsorted-segment-sum.js';

/** Kernels tfjs-backend-wasm 4.22 lacks, which training a CNN or an embedding model needs. */
export const ADDED_KERNELS = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'UnsortedSegmentSum',
] as const;

/**
 * Kernels tfjs-backend-wasm has, replaced where a training step hits a slow path of theirs (a naive
 * loop, a generic broadcast, a transpose or a copy); each replacement defers to the original for the
 * cases it does not speed up.
 */
export const REPLACED_KERNELS = [
  'Conv2DBackpropInput',
  'BatchMatMul',
  'Tile',
  'Identity',
  'Greater',
  'Less',
  'Minimum',
  'Maximum',
  'Mean',
  'Sum',
  'FusedBatchNorm',
  'Multiply',
  'Add',
  'Sub',
  'RealDiv',
] as const;

const implementations: Record<(typeof ADDED_KERNELS)[number] | (typeof REPLACED_KERNELS)[number], tf.KernelFunc> = {
  Conv2DBackpropFilter: conv2DBackpropFilter as unknown as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropInput: depthwiseConv2dNativeBackpropInput as unknown as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropFilter: depthwiseConv2dNativeBackpropFilter as unknown as tf.KernelFunc,
  UnsortedSegmentSum: unsortedSegmentSum as unknown as tf.KernelFunc,
  Conv2DBackpropInput: conv2DBackpropInput as unknown as tf.KernelFunc,
  BatchMatMul: batchMatMul as unknown as tf.KernelFunc,
  Tile: tile as unknown as tf.KernelFunc,
  Identity: identity as unknown as tf.KernelFunc,
  Greater: greater as unknown as tf.KernelFunc,
  Less: less as unknown as tf.KernelFunc,
  Minimum: minimum as unknown as tf.KernelFunc,
  Maximum: maximum as unknown as tf.KernelFunc,
  Mean: mean as unknown as tf.KernelFunc,
  Sum: sum as unknown as tf.KernelFunc,
  FusedBatchNorm: fusedBatchNorm as unknown as tf.KernelFunc,
  Multiply: multiply as unknown as tf.KernelFunc,
  Add: add as unknown as tf.KernelFunc,
  Sub: sub as unknown as tf.KernelFunc,
  RealDiv: realDiv as unknown as tf.KernelFunc,
};

/**
 * Registers, for the tfjs `wasm` backend, the gradient kernels it lacks, faster versions of the ones it
 * runs slowly and the optimizer's one-pass update (core's `GraftOptimizerUpdate`), and makes BatchNorm's,
 * ReLU's and relu6's gradients fused when (and only when) the current backend is wasm. Idempotent. Needs `@tensorflow/tfjs-backend-wasm` to have been imported (it
 * registers the kernels these build on); may be called before or after the backend is initialised.
 */
export function registerWasmGradientKernels(): void {
  for (const kernelName of [...ADDED_KERNELS, ...REPLACED_KERNELS]) {
    const kernelFunc = implementations[kernelName];
    const existing = tf.getKernel(kernelName, 'wasm');
    if (existing?.kernelFunc === kernelFunc) continue;
    let setupFunc: tf.KernelSetupFunc | undefined;
    if (existing !== undefined) {
      // Keep the original: the replacement defers to it for cases it does not cover, and its
      // setup (binding the wasm export) must still run when the backend initialises.
      rememberOriginal(existing);
      setupFunc = existing.setupFunc;
      tf.unregisterKernel(kernelName, 'wasm');
    }
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc, ...(setupFunc ? { setupFunc } : {}) });
  }
  if (tf.getKernel(BATCH_NORM_GRAD_SUMS, 'wasm') === undefined) {
    tf.registerKernel({ kernelName: BATCH_NORM_GRAD_SUMS, backendName: 'wasm', kernelFunc: batchNormGradSums as unknown as tf.KernelFunc });
  }
  if (tf.getKernel(MASKED_GRAD, 'wasm') === undefined) {
    tf.registerKernel({ kernelName: MASKED_GRAD, backendName: 'wasm', kernelFunc: maskedGrad as unknown as tf.KernelFunc });
  }
  if (tf.getKernel(OPTIMIZER_UPDATE, 'wasm') === undefined) {
    tf.registerKernel({ kernelName: OPTIMIZER_UPDATE, backendName: 'wasm', kernelFunc: optimizerUpdate as unknown as tf.KernelFunc });
  }
  registerBatchNormGradient();
  registerActivationGradients();
}
