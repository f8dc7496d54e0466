import { definePlugin, packageMeta } from '@graft/core';
import { webgpuBackend } from './backend.js';

export { webgpuBackend, HARDWARE_PRIORITY, SOFTWARE_PRIORITY } from './backend.js';

/** `plugins: [webgpu]` in a Graft config makes `backend: webgpu` (and `auto`) available. */
export default definePlugin({
  meta: packageMeta(import.meta.url),
  backends: [webgpuBackend],
});
