import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { GraftError } from '../../errors.js';
import type { FileStore, Resource, ResourceStore } from '../environment.js';

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
      const bytes = await download(url, resource);
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

function parseUrl(resource: Resource): URL {
  try {
    return new URL(resource.url);
  } catch (cause) {
    throw new GraftError('GRAFT_CONFIG_INVALID', { what: `"${resource.url}" is not a URL`, fix: 'Give an absolute http(s) URL', cause });
  }
}

function matches(bytes: Uint8Array, resource: Resource): boolean {
  return !resource.sha256 || sha256(bytes) === resource.sha256.toLowerCase();
}

async function download(url: URL, resource: Resource): Promise<Uint8Array> {
  const label = resource.label ?? url.href;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  } catch (cause) {
    throw new GraftError('GRAFT_DOWNLOAD', {
      what: `Could not download ${label} from ${url.href}`,
      why: `The request failed (${(cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).message}).`,
      fix: 'Connect to the network, or point GRAFT_MIRROR at a folder or server holding a copy',
      cause,
    });
  }
  if (!response.ok) {
    throw new GraftError('GRAFT_DOWNLOAD', { what: `The server answered ${response.status} for ${url.href}`, fix: 'Check the URL, or use a mirror (GRAFT_MIRROR)' });
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (resource.maxBytes !== undefined && declared > resource.maxBytes) {
    throw new GraftError('GRAFT_DOWNLOAD', { what: `${url.href} is ${declared} bytes, over the ${resource.maxBytes}-byte limit for ${label}`, fix: 'Check the URL' });
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (resource.maxBytes !== undefined && bytes.length > resource.maxBytes) {
    throw new GraftError('GRAFT_DOWNLOAD', { what: `${url.href} sent ${bytes.length} bytes, over the ${resource.maxBytes}-byte limit for ${label}`, fix: 'Check the URL' });
  }
  if (!matches(bytes, resource)) {
    throw new GraftError('GRAFT_DOWNLOAD', {
      what: `${label} from ${url.href} does not match its pinned checksum`,
      why: `Expected sha256 ${resource.sha256}, got ${sha256(bytes)}; it was not cached.`,
      fix: 'Try again (a broken transfer), or check the mirror’s copy',
    });
  }
  return bytes;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
