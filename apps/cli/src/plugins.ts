import cuda from '@graft/backend-cuda';
import wasm from '@graft/backend-wasm';
import webgpu from '@graft/backend-webgpu';
import type { GraftPlugin, ModuleImporter } from '@graft/core';
import strategies from '@graft/strategies';
import tabular from '@graft/tabular';
import text from '@graft/text';
import vision from '@graft/vision';

/** The first-party plugins the `graft` command always loads (test fixtures are not among them: configs list `@graft/testing`). */
export const firstPartyPlugins: GraftPlugin[] = [strategies, vision, text, tabular, wasm, webgpu, cuda];

/** Imports plugin modules; `.ts` files go through tsx so TypeScript plugins work without a build step. */
export const importPluginModule: ModuleImporter = async (specifier) => {
  if (/\.[cm]?tsx?$/.test(specifier)) {
    const { tsImport } = await import('tsx/esm/api');
    return tsImport(specifier, import.meta.url);
  }
  return import(specifier);
};
