import { readConfigFile } from './config/read-file.js';
import { composeRuntime, type Runtime, type RuntimeOptions } from './compose.js';
import { nodeEnvironment } from './env/node/index.js';
import { silentLogger } from './logger.js';
import { buildRegistry, importPlugins } from './plugins/loader.js';

export { TOKENS, composeRuntime, type Platform, type PlannedRun, type Runtime, type RuntimeOptions } from './compose.js';

/** Node's composition root: the file system, the disk cache, config files and plugin modules from disk. */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  return composeRuntime(options, {
    environment: nodeEnvironment({ log: options.log ?? silentLogger, ...options.environment }),
    readConfig: readConfigFile,
    importPlugins: (names, dir) => importPlugins(names, dir, options.importer),
    buildRegistry,
    cwd: () => process.cwd(),
  });
}
