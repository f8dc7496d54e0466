import { definePlugin, GRAFT_VERSION } from '@graft/core';
import { wasmBackend } from './backend.js';

export { wasmBackend } from './backend.js';
export { detectWasm, type DetectOptions } from './detect.js';
export { ADDED_KERNELS, REPLACED_KERNELS, registerWasmGradientKernels } from './kernels/register.js';

/** `plugins: [wasm]` in a Graft config makes `backend: wasm` (and `auto`) available. */
export default definePlugin({
  // Versioned with @graft/core (one version for every Graft package); a literal, so a page can load it.
  meta: { name: '@graft/backend-wasm', version: GRAFT_VERSION, graft: GRAFT_VERSION },
  backends: [wasmBackend],
});
