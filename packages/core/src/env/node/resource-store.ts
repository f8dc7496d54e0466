import { homedir } from 'node:os';
import { join } from 'node:path';
import { download, matches, parseUrl } from '../download.js';
import type { FileStore, ResourceStore } from '../environment.js';

/**
 * Where downloaded files are kept: `GRAFT_CACHE`, else the platform's user cache folder
 * (`$XDG_CACHE_HOME/graft`, `~/.cache/graft`, `~/Library/Caches/graft`, `%LOCALAPPDATA%\graft\cache`).
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GRAFT_CACHE) return env.GRAFT_CACHE;
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'graft', 'cache');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'graft');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'graft');
}

/** The cache path of a URL: `<cache>/resources/<host>/<path>`, with unsafe characters replaced. */
export function cachePathFor(url: URL, cacheRoot: string): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  const segments = url.pathname.split('/').filter((s) => s !== '' && s !== '.' && s !== '..').map(clean);
  return join(cacheRoot, 'resources', clean(url.host), ...(segments.length > 0 ? segments : ['index']));
}

const NODE_MIRROR_HINT = 'point GRAFT_MIRROR at a folder or server holding a copy';

/**
 * Downloads through a disk cache: a cached copy is used without a request; a download is checked
 * (size cap, sha256) before it is written, atomically, into the cache.
 */
export function nodeResourceStore(files: FileStore, cacheRoot = defaultCacheDir()): ResourceStore {
  return {
    async get(resource) {
      const url = parseUrl(resource);
      const path = cachePathFor(url, cacheRoot);
      const cached = await files.read(path);
      if (cached && matches(cached, resource)) return cached;
      const bytes = await download(url, resource, NODE_MIRROR_HINT);
      await files.write(path, bytes);
      return bytes;
    },
    async cached(resource) {
      const path = cachePathFor(parseUrl(resource), cacheRoot);
      const info = await files.stat(path);
      return info?.kind === 'file' ? { location: path, bytes: info.size } : undefined;
    },
  };
}
