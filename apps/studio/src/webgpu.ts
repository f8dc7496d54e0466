import * as tf from '@tensorflow/tfjs';
import { GraftError, type Backend } from '@graft/core';

interface GpuLike {
  requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string; description?: string } } | null>;
}
const gpu = (): GpuLike | undefined => (navigator as unknown as { gpu?: GpuLike }).gpu;

/**
 * WebGPU for the page: tfjs-backend-webgpu on the browser's own adapter. (@graft/backend-webgpu also
 * probes Dawn in Node, with `node:` modules a page cannot load.)
 */
export const pageWebGpu: Backend = {
  name: 'webgpu',
  description: 'The browser’s WebGPU adapter (tfjs-backend-webgpu).',
  tfBackend: 'webgpu',
  priority: 20,
  async detect() {
    const g = gpu();
    if (!g) return { available: false, reason: 'this browser offers no WebGPU (navigator.gpu is missing)', fix: 'Use a browser with WebGPU enabled, or wasm' };
    const adapter = await g.requestAdapter().catch(() => null);
    return adapter ? { available: true } : { available: false, reason: 'the browser found no WebGPU adapter', fix: 'Enable WebGPU for this GPU, or use wasm' };
  },
  async init() {
    try {
      await import('@tensorflow/tfjs-backend-webgpu');
      if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") returned false');
      await tf.ready();
    } catch (error) {
      throw new GraftError('GRAFT_BACKEND_UNAVAILABLE', { what: 'WebGPU failed to start in this page', why: error instanceof Error ? error.message : String(error), fix: 'Use the wasm backend', cause: error });
    }
  },
  capabilities: () => ({ trainsConvolutions: true, trainsEmbeddings: true, threads: 1, device: 'WebGPU', float16: false }),
};
