import { definePlugin, packageMeta } from '@graft/core';
import { cudaBackend, nodeBackend } from './backends.js';

export { cudaBackend, nodeBackend } from './backends.js';

/**
 * `plugins: [cuda]` in a Graft config makes `backend: cuda` and `backend: node` (and `auto`) available.
 * Neither tfjs-node package is installed with this one; each backend says how to install its own.
 */
export default definePlugin({
  meta: packageMeta(import.meta.url),
  backends: [cudaBackend, nodeBackend],
});
