import { definePlugin, GRAFT_VERSION } from '@graft/core';
import { wasmBackend } from './backend.js';

export { createWasmBackend, DEFAULT_WASM_THREADS, MAX_WASM_THREADS, wasmBackend, type WasmBackendOptions } from './backend.js';
export { detectWasm, type DetectOptions } from './detect.js';
export { ADDED_KERNELS, REPLACED_KERNELS, registerWasmGradientKernels } from './kernels/register.js';

/** `plugins: [wasm]` in a Graft config makes `backend: wasm` (and `auto`) available. */
export default definePlugin({
  // Versioned with @graft/core (one version for every Graft package); a literal, so a page can load it.
  meta: { name: '@graft/backend-wasm', version: GRAFT_VERSION, graft: GRAFT_VERSION },
  backends: [wasmBackend],
});
