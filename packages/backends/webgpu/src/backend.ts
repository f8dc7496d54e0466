import * as tf from '@tensorflow/tfjs';
import { GraftError, type Backend, type BackendCapabilities } from '@graft/core';
import { describeAdapter } from './adapter-info.js';
import { probeAdapter, probedSoFar } from './probe.js';
import { registerWebGpuBackend } from './register.js';

/** `backend: auto` ranks a GPU above wasm (10) and cuda below it (30). */
export const HARDWARE_PRIORITY = 20;
/**
 * WebGPU on a CPU rasteriser (Mesa llvmpipe): between cpu (0) and wasm (10). Measured on 2 cores, a
 * small conv net's Adam step ran 1.7× (8×8 inputs) to 9× (64×64) faster than tfjs cpu, since llvmpipe
 * compiles the shaders to SIMD code on every core; wasm with XNNPACK is the faster CPU path.
 */
export const SOFTWARE_PRIORITY = 5;

/**
 * tfjs-backend-webgpu on the browser's adapter, or in Node on Dawn (npm `webgpu`): a real GPU first,
 * else Dawn's OpenGL ES compatibility path, which on a machine without a GPU is Mesa's llvmpipe.
 *
 * `priority` depends on what `detect()` found: {@link SOFTWARE_PRIORITY} until then.
 */
export const webgpuBackend: Backend = {
  name: 'webgpu',
  description: 'WebGPU (tfjs-backend-webgpu): the browser\'s GPU, or in Node Dawn on Vulkan/Metal/D3D12, falling back to OpenGL ES (Mesa llvmpipe on CPU-only machines).',
  tfBackend: 'webgpu',
  get priority(): number {
    const probe = probedSoFar();
    return probe?.found !== undefined && !probe.found.summary.software ? HARDWARE_PRIORITY : SOFTWARE_PRIORITY;
  },
  async detect() {
    const probe = await probeAdapter();
    return probe.found ? { available: true } : probe.availability;
  },
  async init() {
    const probe = await probeAdapter();
    if (!probe.found) {
      throw new GraftError('GRAFT_BACKEND_UNAVAILABLE', {
        what: 'The webgpu backend is not available here',
        why: probe.availability.reason,
        fix: probe.availability.fix,
      });
    }
    try {
      await registerWebGpuBackend(probe.found);
      if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") returned false; the console has tfjs\'s reason');
      await tf.ready();
    } catch (error) {
      throw new GraftError('GRAFT_BACKEND_UNAVAILABLE', {
        what: `The webgpu backend failed to start on ${describeAdapter(probe.found.summary)}`,
        why: error instanceof Error ? error.message.split('\n')[0] : String(error),
        fix: 'Use backend: wasm or cpu, and report this with the cause below',
        cause: error,
      });
    }
  },
  capabilities(): BackendCapabilities {
    const probe = probedSoFar();
    const found = probe?.found;
    return {
      trainsConvolutions: true,
      trainsEmbeddings: true,
      threads: found?.threads ?? 1,
      device: found ? describeAdapter(found.summary) : probe ? 'no WebGPU adapter' : 'WebGPU adapter (not probed yet: run detect())',
      // The adapter could run f16 shaders; tfjs-backend-webgpu 4.22 computes in float32 either way.
      float16: found?.summary.shaderF16 ?? false,
    };
  },
};
