import { createRuntime as createCoreRuntime, type Runtime, type RuntimeOptions } from '@graft/core';
import { firstPartyPlugins, importPluginModule } from './plugins.js';

/**
 * Graft's runtime with the first-party plugins (strategies, vision, text, tabular, the wasm, WebGPU and
 * CUDA backends, the testing fixtures) already loaded; `plugins` adds to them. Configs may name more
 * plugins (`.ts` files included). This lives in `@graft/cli` because it is the package that depends on every
 * first-party plugin; `@graft/core` cannot (the plugins depend on it).
 */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  return createCoreRuntime({
    importer: importPluginModule,
    ...options,
    plugins: [...firstPartyPlugins, ...(options.plugins ?? [])],
  });
}
