import * as tf from '@tensorflow/tfjs';

/** tfjs-backend-wasm's own kernels that this package replaces, kept so the replacements can defer to them. */
const replaced = new Map<string, tf.KernelConfig>();

export function rememberOriginal(config: tf.KernelConfig): void {
  if (!replaced.has(config.kernelName)) replaced.set(config.kernelName, config);
}

export function originalKernel(kernelName: string): tf.KernelConfig | undefined {
  return replaced.get(kernelName) ?? tf.getKernel(kernelName, 'wasm');
}

/** The wasm backend's own implementation of `kernelName` (XNNPACK-backed where the backend has it). */
export function wasmKernel(kernelName: string): tf.KernelFunc {
  const config = originalKernel(kernelName);
  if (config === undefined) {
    throw new Error(`The wasm backend has no '${kernelName}' kernel; is @tensorflow/tfjs-backend-wasm imported?`);
  }
  return config.kernelFunc;
}
