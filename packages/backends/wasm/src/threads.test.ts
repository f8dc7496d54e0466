import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createWasmBackend } from './backend.js';
import { simdKernels } from './kernels/simd.js';
import { randomValues, relativeError, seededWeights } from './test-support/backends.js';
import { mobilenetV1 } from './test-support/mobilenet.js';

/**
 * The threaded build (tfjs-backend-wasm-threaded-simd.wasm, started in Node by node-threads.ts) against the
 * single-threaded one, in one process: the same MobileNet step, gradient for gradient. XNNPACK splits a
 * kernel's output between its threads, not its sums, and Graft's own kernels run on the main thread, so the
 * two builds are expected to agree to float32 rounding (Graft's SIMD kernels run in both: the threaded one
 * gets their shared-memory variant); the bound is 1e-5 relative per gradient.
 */
const TOLERANCE = 1e-5;
const SIZE = 48;
const BATCH = 8;
const CLASSES = 5;

/** Initialises a fresh wasm module: tfjs keeps one backend instance per name, so drop the old one first. */
async function startWasm(threads: number): Promise<ReturnType<typeof createWasmBackend>> {
  const factory = tf.findBackendFactory('wasm');
  if (factory !== null && tf.findBackend('wasm') !== null) {
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', factory, 2);
  }
  const backend = createWasmBackend({ threads });
  await backend.init();
  return backend;
}

/** One training-mode forward/backward of MobileNet (every Graft gradient kernel runs in it), then `steps` Adam steps. */
function mobilenetRun(steps: number): { loss: number; grads: Float32Array[]; losses: number[] } {
  const model = mobilenetV1(tf, { size: SIZE, alpha: 0.25, classes: CLASSES });
  const probe = mobilenetV1(tf, { size: SIZE, alpha: 0.25, classes: CLASSES });
  const weights = seededWeights(probe, 500);
  probe.dispose();
  model.setWeights(model.weights.map((w, i) => tf.tensor(weights[i]!, w.shape as number[])));
  const x = tf.tensor4d(randomValues(BATCH * SIZE * SIZE * 3, 9), [BATCH, SIZE, SIZE, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2], 'int32'), CLASSES) as tf.Tensor2D;
  const lossOf = () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(lossOf, variables);
  const result = { loss: value.dataSync()[0]!, grads: variables.map((v) => grads[v.name]!.dataSync() as Float32Array), losses: [] as number[] };
  tf.dispose([value, ...Object.values(grads)]);
  const optimizer = tf.train.adam(3e-3);
  for (let i = 0; i < steps; i++) {
    const loss = optimizer.minimize(lossOf, true)!;
    result.losses.push(loss.dataSync()[0]!);
    loss.dispose();
  }
  optimizer.dispose();
  tf.dispose([x, y]);
  model.dispose();
  return result;
}

describe('the wasm backend with threads (Node)', () => {
  it('runs 2 XNNPACK threads on shared memory, gives the single-threaded gradients of a MobileNet step (≤ 1e-5), and trains: the loss falls', async () => {
    const single = await startWasm(1);
    expect(single.capabilities().threads).toBe(1);
    const reference = mobilenetRun(0);

    expect(createWasmBackend({ threads: 2 }).capabilities().threads).toBe(2);
    const threaded = await startWasm(2);
    expect(threaded.capabilities()).toMatchObject({ threads: 2, device: 'CPU (WebAssembly SIMD, XNNPACK, 2 threads)' });
    const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8;
    expect(heap.buffer).toBeInstanceOf(SharedArrayBuffer);
    // Graft's SIMD kernels run on the shared heap too (their shared-memory variant), as on the single-threaded one.
    expect(simdKernels(tf.backend() as never)).toBeDefined();
    const result = mobilenetRun(4);

    expect(Math.abs(result.loss - reference.loss) / reference.loss).toBeLessThan(TOLERANCE);
    expect(result.grads).toHaveLength(reference.grads.length);
    const errors = result.grads.map((g, i) => relativeError(g, reference.grads[i]!));
    expect(Math.max(...errors)).toBeLessThan(TOLERANCE);
    expect(result.losses.at(-1)!).toBeLessThan(result.losses[0]! * 0.8);
  });

  it('refuses a thread count it cannot run, saying what it accepts', async () => {
    await expect(createWasmBackend({ threads: 0 }).init()).rejects.toMatchObject({ code: 'GRAFT_INVALID_ARGUMENT' });
    await expect(createWasmBackend({ threads: 9 }).init()).rejects.toThrow(/the wasm backend option `threads` is not a thread count.*1 to 8/s);
    process.env.GRAFT_WASM_THREADS = 'two';
    try {
      await expect(createWasmBackend().init()).rejects.toThrow(/GRAFT_WASM_THREADS=two is not a thread count/);
    } finally {
      delete process.env.GRAFT_WASM_THREADS;
    }
  });
});
