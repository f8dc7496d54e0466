import { GraftError } from '../../errors.js';
import type { FileInfo, FileStore, FolderLock } from '../environment.js';
import { resolvePath } from '../paths.js';

/**
 * A {@link FileStore} held in memory: what a page fills with dropped files and what its runs write
 * (metrics, checkpoints) before the user downloads them. Paths are `/`-separated keys; folders exist
 * while they hold a file. Writes replace a whole value at once, so a reader never sees a torn file.
 */
export function memoryFileStore(clock: () => number = () => Date.now()): FileStore & {
  /** Every file's path, sorted. */
  paths(): string[];
} {
  const files = new Map<string, { data: Uint8Array; modified: number }>();
  const locks = new Set<string>();
  const norm = (path: string) => resolvePath('/', path);
  const under = (dir: string) => (dir === '/' ? '/' : `${dir}/`);
  const encode = (data: Uint8Array | string) => (typeof data === 'string' ? new TextEncoder().encode(data) : data.slice());
  return {
    async read(path, options) {
      const entry = files.get(norm(path));
      if (!entry) return undefined;
      if (options?.maxBytes !== undefined && entry.data.length > options.maxBytes) {
        throw new GraftError('GRAFT_DATA_INVALID', { what: `${path} is ${entry.data.length} bytes, over the ${options.maxBytes}-byte limit`, fix: 'Use a smaller file' });
      }
      return entry.data.slice();
    },
    async write(path, data) {
      files.set(norm(path), { data: encode(data), modified: clock() });
    },
    async append(path, text) {
      const key = norm(path);
      const old = files.get(key)?.data ?? new Uint8Array(0);
      const add = new TextEncoder().encode(text);
      const data = new Uint8Array(old.length + add.length);
      data.set(old);
      data.set(add, old.length);
      files.set(key, { data, modified: clock() });
    },
    async remove(path) {
      const key = norm(path);
      files.delete(key);
      for (const p of [...files.keys()]) if (p.startsWith(under(key))) files.delete(p);
    },
    async stat(path): Promise<FileInfo | undefined> {
      const key = norm(path);
      const entry = files.get(key);
      if (entry) return { kind: 'file', size: entry.data.length, modified: entry.modified };
      let modified = -1;
      for (const [p, e] of files) if (p.startsWith(under(key))) modified = Math.max(modified, e.modified);
      return modified >= 0 ? { kind: 'directory', size: 0, modified } : undefined;
    },
    async list(dir) {
      const prefix = under(norm(dir));
      const names = new Set<string>();
      for (const p of files.keys()) if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split('/')[0]!);
      return [...names].sort();
    },
    resolve: (base, ...paths) => resolvePath(base, ...paths),
    async lock(dir): Promise<FolderLock> {
      const key = norm(dir);
      if (locks.has(key)) {
        throw new GraftError('GRAFT_RUN_LOCKED', { what: `${key} is being written by another run in this page`, fix: 'Wait for that run to finish, or give this run another output folder' });
      }
      locks.add(key);
      return { release: async () => void locks.delete(key) };
    },
    paths: () => [...files.keys()].sort(),
  };
}
