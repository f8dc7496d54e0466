import * as tf from '@tensorflow/tfjs';
import type { FoundAdapter } from './probe.js';

/**
 * The limits tfjs-backend-webgpu sizes its kernels by. A device gets the spec's defaults unless it asks
 * for more, and the compatibility-mode defaults are lower still, so ask for what the adapter has.
 */
const LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage', // Concat packs as many inputs per pass as this allows
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
] as const;

let registeredFor: FoundAdapter | undefined;

/**
 * Registers tfjs's `webgpu` backend on `found`'s adapter. tfjs-backend-webgpu registers its own factory
 * on import only when `navigator.gpu` already exists, and that factory asks for a core-level adapter,
 * which Dawn's OpenGL ES path cannot give; so Graft registers a factory that reuses the probed options.
 */
export async function registerWebGpuBackend(found: FoundAdapter): Promise<void> {
  if (registeredFor === found) return;
  installGpu(found);
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', async () => {
    const adapter = await found.gpu.requestAdapter(found.options);
    if (!adapter) throw new Error(`the WebGPU adapter found earlier (${found.summary.device}) is gone`);
    const requiredLimits: Record<string, number> = {};
    for (const name of LIMITS) requiredLimits[name] = adapter.limits[name];
    // Lets tfjs time kernels (tf.profile) where the adapter allows it.
    const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
    const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
    return new WebGPUBackend(device, adapter.info);
  });
  registeredFor = found;
}

/** tfjs-backend-webgpu reads `navigator.gpu` and the WebGPU enums from the global scope; Node has neither. */
function installGpu(found: FoundAdapter): void {
  const scope = globalThis as Record<string, unknown> & { navigator?: { gpu?: GPU } };
  for (const [name, value] of Object.entries(found.globals ?? {})) {
    if (scope[name] === undefined) scope[name] = value;
  }
  if (scope.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  }
  if (scope.navigator!.gpu !== found.gpu) {
    Object.defineProperty(scope.navigator, 'gpu', { value: found.gpu, configurable: true, writable: true });
  }
}
