import { GraftError } from '../../errors.js';
import { silentLogger } from '../../logger.js';
import type { Environment, ResourceStore } from '../environment.js';
import { memoryFileStore } from './file-store.js';

/** A resource store that serves only what it was given by URL, and refuses the rest (a test or an offline page). */
export function memoryResourceStore(byUrl: Readonly<Record<string, Uint8Array>> = {}): ResourceStore {
  return {
    async get(resource) {
      const bytes = byUrl[resource.url];
      if (!bytes) {
        throw new GraftError('GRAFT_DOWNLOAD', { what: `${resource.label ?? resource.url} is not available offline`, where: resource.url, fix: 'Provide the file to the in-memory resource store' });
      }
      return bytes;
    },
    async cached(resource) {
      const bytes = byUrl[resource.url];
      return bytes ? { location: `memory:${resource.url}`, bytes: bytes.byteLength } : undefined;
    },
  };
}

/** An environment held entirely in memory: no file system, no network, the process's clock and Math.random unless given others. */
export function memoryEnvironment(overrides: Partial<Environment> = {}): Environment {
  return {
    files: overrides.files ?? memoryFileStore(),
    artifacts: overrides.artifacts ?? memoryFileStore(),
    resources: overrides.resources ?? memoryResourceStore(),
    clock: overrides.clock ?? { now: () => Date.now() },
    random: overrides.random ?? { next: () => Math.random() },
    log: overrides.log ?? silentLogger,
  };
}

export { memoryFileStore } from './file-store.js';
