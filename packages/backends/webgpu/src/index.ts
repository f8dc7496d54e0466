import { definePlugin, GRAFT_VERSION } from '@graft/core';
import { webgpuBackend } from './backend.js';

export { webgpuBackend, HARDWARE_PRIORITY, SOFTWARE_PRIORITY } from './backend.js';

/** `plugins: [webgpu]` in a Graft config makes `backend: webgpu` (and `auto`) available. */
export default definePlugin({
  // Versioned with @graft/core (one version for every Graft package); a literal, so a page can load it.
  meta: { name: '@graft/backend-webgpu', version: GRAFT_VERSION, graft: GRAFT_VERSION },
  backends: [webgpuBackend],
});
