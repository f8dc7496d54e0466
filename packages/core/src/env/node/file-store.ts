import { faultPoint } from '../../checkpoint/fault.js';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, open, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { GraftError } from '../../errors.js';
import type { FileInfo, FileStore, FolderLock } from '../environment.js';

const LOCK_FILE = '.graft.lock';

/** The file system, as a {@link FileStore}: atomic writes, durable appends, PID lock files. */
export function nodeFileStore(): FileStore {
  return {
    async read(path, options = {}) {
      const info = await statOf(path);
      if (!info) return undefined;
      if (info.kind === 'directory') {
        throw new GraftError('GRAFT_DATA_INVALID', { what: `${path} is a folder, where a file was expected`, fix: 'Give the path of a file' });
      }
      if (options.maxBytes !== undefined && info.size > options.maxBytes) {
        throw new GraftError('GRAFT_DATA_INVALID', {
          what: `${path} has ${info.size} bytes, more than the ${options.maxBytes} this reader accepts`,
          why: 'Reading it whole would take unbounded memory.',
          fix: 'Check that this is the file you meant',
        });
      }
      const bytes = await guard(path, 'read', () => readFile(path));
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    async write(path, data) {
      await guard(path, 'write', async () => {
        await mkdir(dirname(path), { recursive: true });
        const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
        try {
          // The crash tests stop the process at these points of a checkpoint write (GRAFT_FAULT_AT; never set otherwise).
          const fault = path.endsWith('.graft') ? faultPoint : () => {};
          fault('before-write');
          const handle = await open(temp, 'w');
          try {
            const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
            const half = Math.floor(bytes.length / 2);
            await handle.writeFile(bytes.subarray(0, half));
            fault('mid-write');
            await handle.writeFile(bytes.subarray(half));
            await handle.sync();
          } finally {
            await handle.close();
          }
          fault('before-rename');
          await rename(temp, path);
          fault('after-rename');
        } catch (e) {
          await rm(temp, { force: true });
          throw e;
        }
      });
    },
    async append(path, text) {
      await guard(path, 'write', async () => {
        await mkdir(dirname(path), { recursive: true });
        const handle = await open(path, 'a');
        try {
          await handle.writeFile(text);
          await handle.sync();
        } finally {
          await handle.close();
        }
      });
    },
    async remove(path) {
      await guard(path, 'remove', () => rm(path, { recursive: true, force: true }));
    },
    stat: statOf,
    async list(dir) {
      try {
        return (await readdir(dir)).sort();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw accessError(dir, 'list', e);
      }
    },
    resolve: (base, ...paths) => resolve(base, ...paths),
    async realPath(path) {
      try {
        return await realpath(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
        throw accessError(path, 'read', e);
      }
    },
    lock: lockFolder,
  };
}

async function statOf(path: string): Promise<FileInfo | undefined> {
  try {
    const s = await stat(path);
    return { kind: s.isDirectory() ? 'directory' : 'file', size: s.isDirectory() ? 0 : s.size, modified: s.mtimeMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw accessError(path, 'read', e);
  }
}

interface LockOwner {
  pid: number;
  host: string;
  token: string;
  since: string;
}

/** `<dir>/.graft.lock`, created exclusively; a lock whose process is gone (same host) is taken over. */
async function lockFolder(dir: string): Promise<FolderLock> {
  const path = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex'), since: new Date().toISOString() };
  await guard(dir, 'write', () => mkdir(dir, { recursive: true }));
  let tookOverFrom: string | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, JSON.stringify(me), { flag: 'wx' });
      return { tookOverFrom, release: () => releaseLock(path, me.token) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw accessError(dir, 'write', e);
    }
    const holder = await readOwner(path);
    if (holder && holder.host === me.host && processAlive(holder.pid)) {
      throw new GraftError('GRAFT_RUN_LOCKED', {
        what: `Another Graft process (pid ${holder.pid}, since ${holder.since}) is writing to ${dir}`,
        why: 'Two runs in one folder would interleave metrics.jsonl and overwrite each other’s checkpoints.',
        fix: `Wait for it to finish, stop it, or give this run another \`name\` or \`output.dir\``,
      });
    }
    if (holder && holder.host !== me.host) {
      throw new GraftError('GRAFT_RUN_LOCKED', {
        what: `${dir} is locked by pid ${holder.pid} on host ${holder.host} (since ${holder.since})`,
        why: 'Graft cannot tell from here whether that process is still running.',
        fix: `If no run is writing there, delete ${path}; otherwise use another \`output.dir\``,
      });
    }
    tookOverFrom = holder ? `pid ${holder.pid} (since ${holder.since})` : 'an unreadable lock file';
    await rm(path, { force: true });
  }
  throw new GraftError('GRAFT_RUN_LOCKED', { what: `Could not take the lock ${path}`, why: 'Other processes keep taking it.', fix: 'Run one Graft process per output folder' });
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

async function releaseLock(path: string, token: string): Promise<void> {
  const owner = await readOwner(path);
  if (owner?.token === token) await rm(path, { force: true });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function guard<T>(path: string, action: 'read' | 'write' | 'remove', run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof GraftError) throw e;
    throw accessError(path, action, e);
  }
}

/** An error of the environment (permissions, a read-only disk, a full disk), told as such. */
function accessError(path: string, action: string, cause: unknown): GraftError {
  const code = (cause as NodeJS.ErrnoException).code ?? 'unknown';
  const why: Record<string, string> = {
    EACCES: 'Permission denied.',
    EPERM: 'The operation is not permitted.',
    EROFS: 'The file system is read-only.',
    ENOSPC: 'The disk is full.',
    EISDIR: 'It is a folder.',
    ENOTDIR: 'A part of the path is a file, not a folder.',
    ENAMETOOLONG: 'The path is too long for the file system.',
  };
  return new GraftError('GRAFT_FILE_ACCESS', {
    what: `Could not ${action} ${path}`,
    why: why[code] ?? `The system reported ${code}.`,
    fix: action === 'read' ? 'Check the path and its permissions' : 'Choose a writable location (output.dir, GRAFT_CACHE) or free some space',
    cause,
  });
}
