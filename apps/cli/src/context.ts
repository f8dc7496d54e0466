import { createRuntime, stderrLogger, type Runtime } from '@graft/core';
import { firstPartyPlugins, importPluginModule } from './plugins.js';

/** The CLI's composition root: one runtime with the first-party plugins. */
export function cliRuntime(verbose = false): Runtime {
  return createRuntime({ plugins: firstPartyPlugins, importer: importPluginModule, log: stderrLogger(verbose) });
}
