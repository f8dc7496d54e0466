import { silentLogger } from '../../logger.js';
import type { Environment } from '../environment.js';
import { cacheResourceStore, type CacheResourceStoreOptions } from './cache-resource-store.js';
import { memoryFileStore } from './memory-file-store.js';

export interface BrowserEnvironmentOptions extends CacheResourceStoreOptions {
  /** Replace any service (a test's clock, an IndexedDB store). */
  overrides?: Partial<Environment>;
}

/**
 * A browser's environment: the page's files (dropped images, a checkpoint to open) and the runs'
 * artifacts in memory, downloads through the Cache API.
 */
export function browserEnvironment(options: BrowserEnvironmentOptions = {}): Environment {
  const o = options.overrides ?? {};
  const files = o.files ?? memoryFileStore();
  return {
    files,
    artifacts: o.artifacts ?? memoryFileStore(),
    resources: o.resources ?? cacheResourceStore(options),
    clock: o.clock ?? { now: () => Date.now() },
    random: o.random ?? { next: () => Math.random() },
    log: o.log ?? silentLogger,
  };
}

export { memoryFileStore } from './memory-file-store.js';
export { indexedDbFileStore, type IndexedDbFileStoreOptions } from './indexeddb-file-store.js';
export { cacheResourceStore, mirroredUrl, type CacheResourceStoreOptions } from './cache-resource-store.js';
