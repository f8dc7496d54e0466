import { GraftError } from '../../errors.js';
import type { FileInfo, FileStore, FolderLock } from '../environment.js';

/** Normalise a `/`-separated path: no `.` or `..` segments, no trailing slash, always rooted. */
function normalise(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/**
 * Files kept in memory, keyed by `/`-separated paths: what a browser page or a test binds for the
 * artifact store or the files a config points at. Folders exist implicitly while they hold a file.
 * Writes replace a file in one step, so readers never see a torn one.
 */
export function memoryFileStore(initial: Readonly<Record<string, Uint8Array | string>> = {}, clock: () => number = () => Date.now()): FileStore & {
  /** Every file's path, sorted (for tests and for a page offering downloads). */
  paths(): string[];
} {
  const files = new Map<string, { data: Uint8Array; modified: number }>();
  const locks = new Set<string>();
  const encode = (data: Uint8Array | string) => (typeof data === 'string' ? new TextEncoder().encode(data) : data.slice());
  for (const [path, data] of Object.entries(initial)) files.set(normalise(path), { data: encode(data), modified: clock() });
  const isDir = (dir: string) => [...files.keys()].some((p) => p.startsWith(dir === '/' ? '/' : `${dir}/`));

  return {
    async read(path, options = {}) {
      const key = normalise(path);
      const file = files.get(key);
      if (!file) {
        if (isDir(key)) throw new GraftError('GRAFT_DATA_INVALID', { what: `${key} is a folder, where a file was expected`, fix: 'Give the path of a file' });
        return undefined;
      }
      if (options.maxBytes !== undefined && file.data.byteLength > options.maxBytes) {
        throw new GraftError('GRAFT_DATA_INVALID', {
          what: `${key} has ${file.data.byteLength} bytes, more than the ${options.maxBytes} this reader accepts`,
          fix: 'Check that this is the file you meant',
        });
      }
      return file.data.slice();
    },
    async write(path, data) {
      files.set(normalise(path), { data: encode(data), modified: clock() });
    },
    async append(path, text) {
      const key = normalise(path);
      const previous = files.get(key)?.data ?? new Uint8Array();
      const added = encode(text);
      const data = new Uint8Array(previous.byteLength + added.byteLength);
      data.set(previous);
      data.set(added, previous.byteLength);
      files.set(key, { data, modified: clock() });
    },
    async remove(path) {
      const key = normalise(path);
      for (const p of [...files.keys()]) if (p === key || p.startsWith(`${key}/`)) files.delete(p);
    },
    async stat(path): Promise<FileInfo | undefined> {
      const key = normalise(path);
      const file = files.get(key);
      if (file) return { kind: 'file', size: file.data.byteLength, modified: file.modified };
      return isDir(key) ? { kind: 'directory', size: 0, modified: 0 } : undefined;
    },
    async list(dir) {
      const key = normalise(dir);
      const prefix = key === '/' ? '/' : `${key}/`;
      const names = new Set<string>();
      for (const p of files.keys()) if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split('/')[0]!);
      return [...names].sort();
    },
    resolve(base, ...paths) {
      let out = base;
      for (const p of paths) out = p.startsWith('/') ? p : `${out}/${p}`;
      return normalise(out);
    },
    async lock(dir): Promise<FolderLock> {
      const key = normalise(dir);
      if (locks.has(key)) {
        throw new GraftError('GRAFT_RUN_LOCKED', { what: `${key} is locked by another run in this page or process`, fix: 'Wait for that run to finish, or write to another folder' });
      }
      locks.add(key);
      return { release: async () => void locks.delete(key) };
    },
    paths: () => [...files.keys()].sort(),
  };
}
