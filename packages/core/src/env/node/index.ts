import { silentLogger } from '../../logger.js';
import type { Environment } from '../environment.js';
import { nodeFileStore } from './file-store.js';
import { nodeResourceStore } from './resource-store.js';

/** Node's environment: the file system for data and artifacts, a disk cache for downloads. */
export function nodeEnvironment(overrides: Partial<Environment> = {}): Environment {
  const files = overrides.files ?? nodeFileStore();
  return {
    files,
    artifacts: overrides.artifacts ?? files,
    resources: overrides.resources ?? nodeResourceStore(files),
    clock: overrides.clock ?? { now: () => Date.now() },
    random: overrides.random ?? { next: () => Math.random() },
    log: overrides.log ?? silentLogger,
  };
}

export { nodeFileStore } from './file-store.js';
export { nodeResourceStore, defaultCacheDir, cachePathFor, mirrorFromEnv, mirrorPlaces, type NodeResourceOptions } from './resource-store.js';
