import { createRequire } from 'node:module';
import type { PluginMeta } from './define.js';

interface Manifest {
  name: string;
  version: string;
  peerDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
}

/**
 * A plugin's meta read from its own package.json, so its name, version and supported Graft range are
 * written once: `meta: packageMeta(import.meta.url)` in a module one folder below the package root
 * (`src/index.ts` and `dist/index.js` alike). The range is the package's `@graft/core` peer dependency.
 */
export function packageMeta(moduleUrl: string | URL, manifestPath = '../package.json'): PluginMeta {
  const manifest = createRequire(moduleUrl)(manifestPath) as Manifest;
  const graft = manifest.peerDependencies?.['@graft/core'] ?? manifest.dependencies?.['@graft/core'];
  return { name: manifest.name, version: manifest.version, graft: graft ?? manifest.version };
}
