import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { downloadBytes, type ProgressTarget } from './download.js';
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
  return join(cacheRoot, 'resources', ...urlSegments(url));
}

/** `<host>/<path>` of a URL as safe path segments. */
function urlSegments(url: URL): string[] {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  const segments = url.pathname.split('/').filter((s) => s !== '' && s !== '.' && s !== '..').map(clean);
  return [clean(url.host), ...(segments.length > 0 ? segments : ['index'])];
}

/** Options of {@link nodeResourceStore}. */
export interface NodeResourceOptions {
  /** Root of the download cache. @default {@link defaultCacheDir} */
  cacheRoot?: string;
  /**
   * A folder or an http(s) base URL standing in for the public hosts: a file is looked for at
   * `<mirror>/<host>/<path>` (the cache's layout), then at `<mirror>/<file name>`.
   * @default {@link mirrorFromEnv}
   */
  mirror?: string;
  /** Where the progress of a download is drawn, when it is a terminal. @default process.stderr */
  progress?: ProgressTarget;
}

/** The mirror set in the environment: `GRAFT_MIRROR`, else its older name for models, `GRAFT_MODEL_MIRROR`. */
export function mirrorFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.GRAFT_MIRROR || env.GRAFT_MODEL_MIRROR || undefined;
}

/**
 * Files by URL through a disk cache. In order: the cached copy (no request), a local copy, the mirror,
 * the public URL. Every copy is checked against the pinned sha256; a download is streamed under its
 * size cap, checked, then written into the cache atomically, so a broken or wrong file is never cached.
 */
export function nodeResourceStore(files: FileStore, options: string | NodeResourceOptions = {}): ResourceStore {
  const o = typeof options === 'string' ? { cacheRoot: options } : options;
  const cacheRoot = o.cacheRoot ?? defaultCacheDir();
  const mirror = 'mirror' in o ? o.mirror : mirrorFromEnv();
  const progress = 'progress' in o ? o.progress : process.stderr;
  return {
    async get(resource) {
      const url = parseUrl(resource);
      const path = cachePathFor(url, cacheRoot);
      const cached = await readIfPresent(files, path, resource.maxBytes).catch(() => undefined);
      if (cached) {
        if (matches(cached, resource)) return cached;
        await files.remove(path); // Left by an older pin or damaged on disk: fetch it again.
      }
      for (const copy of resource.localCopies ?? []) {
        const bytes = await readIfPresent(files, copy, resource.maxBytes).catch(() => undefined);
        if (bytes && matches(bytes, resource)) return bytes;
      }
      const looked: string[] = [];
      if (mirror) {
        for (const place of mirrorPlaces(url, mirror)) {
          looked.push(place);
          const bytes = isUrl(place)
            ? await downloadBytes(new URL(place), resource, { progress, missingIsUndefined: true, fix: `Check the mirror ${mirror} (GRAFT_MIRROR)` })
            : await readIfPresent(files, place, resource.maxBytes);
          if (!bytes) continue;
          verify(bytes, resource, place);
          if (isUrl(place)) await files.write(path, bytes);
          return bytes;
        }
      }
      const why = mirror ? `the mirror ${mirror} has no copy either (looked at ${looked.join(' and ')})` : 'no mirror is set (GRAFT_MIRROR)';
      const bytes = (await downloadBytes(url, resource, {
        progress,
        why,
        fix:
          `Connect to the network, or set GRAFT_MIRROR to a folder or server holding ${url.host}${url.pathname} ` +
          '(or just the file), or copy a cache filled by `graft data fetch` on a connected machine into GRAFT_CACHE',
      }))!;
      verify(bytes, resource, url.href);
      await files.write(path, bytes);
      return bytes;
    },
    async cached(resource) {
      const path = cachePathFor(parseUrl(resource), cacheRoot);
      const info = await files.stat(path);
      if (info?.kind === 'file') return { location: path, bytes: info.size };
      for (const copy of resource.localCopies ?? []) {
        const bytes = await readIfPresent(files, copy, resource.maxBytes).catch(() => undefined);
        if (bytes && matches(bytes, resource)) return { location: copy, bytes: bytes.length };
      }
      return undefined;
    },
  };
}

/** Where a mirror may hold the file at `url`: the cache's layout under it, then the bare file name. */
export function mirrorPlaces(url: URL, mirror: string): string[] {
  const segments = urlSegments(url);
  const name = segments[segments.length - 1]!;
  if (isUrl(mirror)) {
    const base = mirror.endsWith('/') ? mirror : `${mirror}/`;
    return [new URL(segments.join('/'), base).href, new URL(name, base).href];
  }
  return [join(mirror, ...segments), join(mirror, name)];
}

function isUrl(s: string): boolean {
  return /^https?:\/\//i.test(s);
}

/** A file's bytes, undefined when absent; one over `maxBytes` is refused before it is read. */
async function readIfPresent(files: FileStore, path: string, maxBytes: number | undefined): Promise<Uint8Array | undefined> {
  const info = await files.stat(path).catch(() => undefined);
  if (info?.kind !== 'file') return undefined;
  if (maxBytes !== undefined && info.size > maxBytes) {
    throw new GraftError('GRAFT_DOWNLOAD', { what: `${path} has ${info.size} bytes, over the ${maxBytes}-byte limit for this file`, fix: 'Replace it with the original file' });
  }
  return files.read(path);
}

function parseUrl(resource: Resource): URL {
  try {
    return new URL(resource.url);
  } catch (cause) {
    throw new GraftError('GRAFT_CONFIG_INVALID', { what: `"${resource.url}" is not a URL`, fix: 'Give an absolute http(s) URL', cause });
  }
}

function pins(resource: Resource): string[] {
  const s = resource.sha256;
  return (s === undefined ? [] : typeof s === 'string' ? [s] : [...s]).map((d) => d.toLowerCase());
}

function matches(bytes: Uint8Array, resource: Resource): boolean {
  const expected = pins(resource);
  return expected.length === 0 || expected.includes(sha256(bytes));
}

function verify(bytes: Uint8Array, resource: Resource, from: string): void {
  if (resource.maxBytes !== undefined && bytes.length > resource.maxBytes) {
    throw new GraftError('GRAFT_DOWNLOAD', { what: `${from} has ${bytes.length} bytes, over the ${resource.maxBytes}-byte limit for ${resource.label ?? resource.url}`, fix: 'Check the mirror’s copy' });
  }
  if (!matches(bytes, resource)) {
    throw new GraftError('GRAFT_DOWNLOAD', {
      what: `${resource.label ?? resource.url} from ${from} does not match its pinned checksum`,
      why: `Expected sha256 ${pins(resource).join(' or ')}, got ${sha256(bytes)}; it was not cached.`,
      fix: 'Try again (a broken transfer), or replace the mirror’s copy with the original file',
    });
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
