import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from './cpu.js';
import { registerCpuKernels } from './cpu-kernels.js';

// tfjs's own kernel, kept before ours replaces it: the reference the replacement must equal bit for bit.
const tfjsKernel = tf.getKernel('Conv2DBackpropFilter', 'cpu')!.kernelFunc;

beforeAll(async () => {
  // Graft's cpu backend, as `backend: cpu` starts it: it registers the replacement.
  await cpuBackend.init();
});

describe('the cpu Conv2DBackpropFilter kernel', () => {
  it.each([
    ['NHWC, same padding, stride 1', [3, 8, 8, 2], [3, 3, 2, 5], 1, 'same', 'NHWC'],
    ['NHWC, same padding, stride 2', [2, 9, 7, 3], [3, 3, 3, 4], 2, 'same', 'NHWC'],
    ['NHWC, valid padding, 5×3 filter, strides 2×1', [2, 11, 6, 2], [5, 3, 2, 3], [2, 1], 'valid', 'NHWC'],
    ['NHWC, explicit padding', [1, 6, 6, 2], [3, 3, 2, 2], 1, [[0, 0], [1, 2], [2, 0], [0, 0]], 'NHWC'],
    ['NCHW, same padding, stride 2', [2, 3, 8, 6], [3, 3, 3, 4], 2, 'same', 'NCHW'],
  ] as const)('equals tfjs’s bit for bit: %s', (_name, xShape, filterShape, strides, pad, dataFormat) => {
    const x = tf.randomNormal([...xShape], 0, 1, 'float32', 1);
    const filter = tf.randomNormal([...filterShape], 0, 1, 'float32', 2);
    const y = tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, strides as [number, number], pad as 'same', dataFormat as 'NHWC');
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
    const attrs = { strides, pad, dataFormat, dimRoundingMode: undefined, filterShape };
    const backend = tf.backend();
    const run = (kernel: tf.KernelFunc) => {
      const info = kernel({ inputs: { x, dy }, backend, attrs: attrs as unknown as tf.NamedAttrMap }) as tf.TensorInfo;
      const out = tf.engine().makeTensorFromTensorInfo(info);
      const values = Array.from(out.dataSync());
      out.dispose();
      return values;
    };
    const expected = run(tfjsKernel);
    const ours = tf.getKernel('Conv2DBackpropFilter', 'cpu')!.kernelFunc;
    expect(ours).not.toBe(tfjsKernel);
    expect(run(ours)).toEqual(expected);
    // And through autodiff, as training uses it.
    const grad = tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, strides as [number, number], pad as 'same', dataFormat as 'NHWC'), dy)));
    expect(Array.from(grad(filter).dataSync())).toEqual(expected);
    tf.dispose([x, filter, y, dy]);
  });

  it('registers once: a second call keeps the same kernel', () => {
    registerCpuKernels();
    const first = tf.getKernel('Conv2DBackpropFilter', 'cpu')!.kernelFunc;
    registerCpuKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')!.kernelFunc).toBe(first);
  });
});
