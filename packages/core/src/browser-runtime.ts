import { composeRuntime, type Runtime, type RuntimeOptions } from './compose.js';
import { browserEnvironment, type BrowserEnvironmentOptions } from './env/browser/index.js';
import { GraftError } from './errors.js';
import { silentLogger } from './logger.js';
import { buildRegistry } from './plugins/build-registry.js';

export interface BrowserRuntimeOptions extends Omit<RuntimeOptions, 'importer'> {
  /** Cache name and model mirror for downloads. */
  resources?: Omit<BrowserEnvironmentOptions, 'overrides'>;
}

/**
 * The browser's composition root: artifacts and files in memory, downloads through the Cache API. A
 * page passes configs as objects and its plugins as values; there is no file system to read a config
 * from and no module path to import a plugin by.
 */
export function createBrowserRuntime(options: BrowserRuntimeOptions = {}): Runtime {
  const environment = browserEnvironment({ ...options.resources, overrides: { log: options.log ?? silentLogger, ...options.environment } });
  return composeRuntime(options, {
    environment,
    // A page bundles one @graft/core with its plugins: shapes, names and dependencies are checked, not versions.
    buildRegistry: (plugins) => buildRegistry(plugins),
    cwd: () => '/',
    readConfig(path) {
      throw new GraftError('GRAFT_INVALID_ARGUMENT', {
        what: `A browser runtime cannot read the config file "${path}"`,
        why: 'There is no file system to read it from in a page',
        fix: 'Pass the config as an object: runtime.load({ source, tasks, stages })',
      });
    },
    async importPlugins(names) {
      if (names.length === 0) return [];
      throw new GraftError('GRAFT_PLUGIN_LOAD', {
        what: `A browser runtime cannot import the plugins the config names (${names.join(', ')})`,
        why: 'A page cannot import modules by name or path at run time',
        fix: 'Import the plugins in the page and pass them: createBrowserRuntime({ plugins: [...] })',
        where: 'plugins',
      });
    },
  });
}
