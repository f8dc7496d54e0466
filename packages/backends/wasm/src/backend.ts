import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { GraftError, type Backend, type BackendCapabilities } from '@graft/core';
import { guardAllocations } from './allocation-guard.js';
import { detectWasm } from './detect.js';
import { registerWasmGradientKernels } from './kernels/register.js';
import { wasmBinaryDirectory } from './wasm-files.js';

interface Runtime {
  threads: number;
  simd: boolean;
}

let runtime: Runtime | undefined;

/**
 * tfjs-backend-wasm (XNNPACK kernels compiled to WebAssembly) plus the gradient kernels it lacks,
 * so that CNNs and embedding models train on it. In Node it runs single-threaded: the threaded
 * build needs Web Workers.
 */
export const wasmBackend: Backend = {
  name: 'wasm',
  description: 'WebAssembly with XNNPACK (tfjs-backend-wasm) plus Graft gradient kernels. Much faster than cpu for CNNs.',
  tfBackend: 'wasm',
  priority: 10,
  detect: () => detectWasm(),
  async init() {
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const directory = await wasmBinaryDirectory();
      // Harmless once the backend is up; must happen before its first initialisation.
      if (directory !== undefined) wasm.setWasmPaths(directory);
      registerWasmGradientKernels();
      if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
      await tf.ready();
      guardAllocations(tf.backend() as BackendWasm);
      runtime = { threads: wasm.getThreadsCount(), simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true };
    } catch (error) {
      if (error instanceof GraftError) throw error;
      const availability = await detectWasm();
      throw new GraftError('GRAFT_BACKEND_UNAVAILABLE', {
        what: 'The wasm backend failed to initialise',
        why: availability.reason ?? (error instanceof Error ? error.message : String(error)),
        fix: availability.fix ?? 'Use backend: cpu, and report this with the cause below',
        cause: error,
      });
    }
  },
  capabilities(): BackendCapabilities {
    const simd = runtime?.simd ?? true;
    return {
      trainsConvolutions: true,
      trainsEmbeddings: true,
      threads: runtime?.threads ?? 1,
      device: simd ? 'CPU (WebAssembly SIMD, XNNPACK)' : 'CPU (WebAssembly, XNNPACK)',
      float16: false,
    };
  },
};
