import { definePlugin } from '@graft/core';
import { webgpuBackend } from './backend.js';

export { webgpuBackend, HARDWARE_PRIORITY, SOFTWARE_PRIORITY } from './backend.js';

/** `plugins: [webgpu]` in a Graft config makes `backend: webgpu` (and `auto`) available. */
export default definePlugin({
  meta: { name: '@graft/backend-webgpu', version: '0.1.0', api: 1 },
  backends: [webgpuBackend],
});
