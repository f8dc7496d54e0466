import { definePlugin, packageMeta } from '@graft/core';
import { wasmBackend } from './backend.js';

export { wasmBackend } from './backend.js';
export { detectWasm, type DetectOptions } from './detect.js';
export { ADDED_KERNELS, REPLACED_KERNELS, registerWasmGradientKernels } from './kernels/register.js';

/** `plugins: [wasm]` in a Graft config makes `backend: wasm` (and `auto`) available. */
export default definePlugin({
  meta: packageMeta(import.meta.url),
  backends: [wasmBackend],
});
