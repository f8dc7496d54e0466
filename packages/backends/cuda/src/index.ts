import { definePlugin } from '@graft/core';
import { cudaBackend, nodeBackend } from './backends.js';

export { cudaBackend, nodeBackend } from './backends.js';

/**
 * `plugins: [cuda]` in a Graft config makes `backend: cuda` and `backend: node` (and `auto`) available.
 * Neither tfjs-node package is installed with this one; each backend says how to install its own.
 */
export default definePlugin({
  meta: { name: '@graft/backend-cuda', version: '0.1.0', api: 1 },
  backends: [cudaBackend, nodeBackend],
});
