import { GraftError } from '../../errors.js';
import type { FileInfo, FileStore, FolderLock } from '../environment.js';
import { resolvePath } from '../paths.js';

export interface IndexedDbFileStoreOptions {
  /** Name of the IndexedDB database (one per app: its runs outlive the page). @default 'graft-files' */
  database?: string;
  /** A clock for modification times. @default Date.now */
  clock?: () => number;
}

const STORE = 'files';

interface Entry {
  path: string;
  data: Uint8Array;
  modified: number;
}

/** An IndexedDB request as a promise. */
function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** A transaction's completion (its writes are committed) as a promise. */
function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('the IndexedDB transaction was aborted'));
  });
}

/**
 * A {@link FileStore} kept in the browser's IndexedDB, so runs and checkpoints survive a page reload:
 * one record per file, keyed by its `/`-separated path; folders exist while they hold a file. A write or
 * an append is one transaction, so a reader sees the old file or the new one, never a torn one. Folder
 * locks use the Web Locks API where the browser has it, so two tabs cannot write one run folder at once.
 */
export function indexedDbFileStore(options: IndexedDbFileStoreOptions = {}): FileStore {
  const name = options.database ?? 'graft-files';
  const clock = options.clock ?? (() => Date.now());
  let opened: Promise<IDBDatabase> | undefined;
  const db = (): Promise<IDBDatabase> => {
    if (typeof indexedDB === 'undefined') {
      return Promise.reject(new GraftError('GRAFT_FILE_ACCESS', { what: 'This browser offers no IndexedDB', why: 'Private browsing or an old browser can turn it off', fix: 'Keep runs in memory (memoryFileStore) or use another browser' }));
    }
    opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name, 1);
      request.onupgradeneeded = () => void request.result.createObjectStore(STORE, { keyPath: 'path' });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new GraftError('GRAFT_RUN_LOCKED', { what: `The IndexedDB database "${name}" is held by another tab at an older version`, fix: 'Close the other tabs of this page and reload' }));
    });
    return opened;
  };
  const norm = (path: string) => resolvePath('/', path);
  const under = (dir: string) => (dir === '/' ? '/' : `${dir}/`);
  /** Every record whose path starts with `prefix`, in path order. */
  const below = async (prefix: string): Promise<Entry[]> => {
    const tx = (await db()).transaction(STORE, 'readonly');
    // '\uffff' sorts after every character a path holds: the range is exactly the paths with this prefix.
    return (await done(tx.objectStore(STORE).getAll(IDBKeyRange.bound(prefix, `${prefix}\uffff`)))) as Entry[];
  };
  const locks = new Set<string>();
  return {
    async read(path, options) {
      const tx = (await db()).transaction(STORE, 'readonly');
      const entry = (await done(tx.objectStore(STORE).get(norm(path)))) as Entry | undefined;
      if (!entry) return undefined;
      if (options?.maxBytes !== undefined && entry.data.length > options.maxBytes) {
        throw new GraftError('GRAFT_DATA_INVALID', { what: `${path} is ${entry.data.length} bytes, over the ${options.maxBytes}-byte limit`, fix: 'Use a smaller file' });
      }
      return entry.data;
    },
    async write(path, data) {
      const tx = (await db()).transaction(STORE, 'readwrite');
      tx.objectStore(STORE).put({ path: norm(path), data: typeof data === 'string' ? new TextEncoder().encode(data) : data.slice(), modified: clock() } satisfies Entry);
      await committed(tx);
    },
    async append(path, text) {
      const key = norm(path);
      const tx = (await db()).transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      // Read and write in one transaction: two appends never lose one another's text.
      const request = store.get(key);
      request.onsuccess = () => {
        const old = (request.result as Entry | undefined)?.data ?? new Uint8Array(0);
        const add = new TextEncoder().encode(text);
        const data = new Uint8Array(old.length + add.length);
        data.set(old);
        data.set(add, old.length);
        store.put({ path: key, data, modified: clock() } satisfies Entry);
      };
      await committed(tx);
    },
    async remove(path) {
      const key = norm(path);
      const tx = (await db()).transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      store.delete(key);
      store.delete(IDBKeyRange.bound(under(key), `${under(key)}\uffff`));
      await committed(tx);
    },
    async stat(path): Promise<FileInfo | undefined> {
      const key = norm(path);
      const tx = (await db()).transaction(STORE, 'readonly');
      const entry = (await done(tx.objectStore(STORE).get(key))) as Entry | undefined;
      if (entry) return { kind: 'file', size: entry.data.length, modified: entry.modified };
      const inside = await below(under(key));
      return inside.length > 0 ? { kind: 'directory', size: 0, modified: Math.max(...inside.map((e) => e.modified)) } : undefined;
    },
    async list(dir) {
      const prefix = under(norm(dir));
      const tx = (await db()).transaction(STORE, 'readonly');
      const keys = (await done(tx.objectStore(STORE).getAllKeys(IDBKeyRange.bound(prefix, `${prefix}\uffff`)))) as string[];
      return [...new Set(keys.map((k) => k.slice(prefix.length).split('/')[0]!))].sort();
    },
    resolve: (base, ...paths) => resolvePath(base, ...paths),
    async lock(dir): Promise<FolderLock> {
      const key = norm(dir);
      const refused = () => new GraftError('GRAFT_RUN_LOCKED', { what: `${key} is being written by another run (in this tab or another)`, fix: 'Wait for that run to finish, or give this run another output folder' });
      const webLocks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
      if (!webLocks) {
        if (locks.has(key)) throw refused();
        locks.add(key);
        return { release: async () => void locks.delete(key) };
      }
      // Held until `release`: the request's callback returns a promise that settles then.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const granted = await new Promise<boolean>((resolve, reject) => {
        webLocks
          .request(`graft-files:${name}:${key}`, { ifAvailable: true }, (lock) => {
            resolve(lock !== null);
            return lock ? held : undefined;
          })
          .catch(reject);
      });
      if (!granted) throw refused();
      return { release: async () => release() };
    },
  };
}
