import { join } from 'node:path';
import { GraftError } from '@graft/core';
import { writeFileAtomic } from './atomic.js';
import { readModelDirectory } from './directory-handler.js';
import { parseModelJson, safeRelativePath } from './manifest.js';

/** Where the files of the model at `url` (a model.json URL) live in the cache. */
export function cacheDirFor(url: URL, cacheRoot: string): string {
  const host = url.host.replace(/[^A-Za-z0-9.-]/g, '_');
  const dirs = url.pathname.split('/').slice(0, -1).filter((s) => s !== '');
  const safe = dirs.length === 0 ? [] : safeRelativePath(dirs.map(decodeURIComponentSafe).join('/'), url.href);
  return join(cacheRoot, 'models', host, ...safe);
}

/**
 * Make sure the model at `url` is complete in the cache and return its directory. A complete cached copy
 * is used without any request; otherwise model.json and every shard are downloaded and written
 * atomically, model.json last, so an interrupted download is fetched again next time.
 */
export async function cacheModel(url: URL, cacheRoot: string, describeAlternatives: () => string): Promise<string> {
  const dir = cacheDirFor(url, cacheRoot);
  try {
    await readModelDirectory(dir);
    return dir;
  } catch {
    // Not cached yet, or incomplete: download it.
  }
  const text = new TextDecoder().decode(await download(url, describeAlternatives));
  const json = parseModelJson(text, url.href);
  for (const group of json.weightsManifest) {
    for (const p of group.paths) {
      const segments = safeRelativePath(p, url.href);
      const shardUrl = new URL(segments.join('/'), url);
      await writeCached(join(dir, ...segments), await download(shardUrl, describeAlternatives));
    }
  }
  await writeCached(join(dir, 'model.json'), text);
  // Check what was written the same way a cached copy is checked.
  await readModelDirectory(dir);
  return dir;
}

async function writeCached(file: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(file, data);
  } catch (cause) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: 'Could not write the downloaded model into the cache',
      where: file,
      why: (cause as Error).message,
      fix: 'Set GRAFT_CACHE to a writable directory',
      cause,
    });
  }
}

async function download(url: URL, describeAlternatives: () => string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  } catch (cause) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `Could not reach ${url.href}`,
      why: `${reason(cause)}. ${describeAlternatives()}`,
      fix: 'Connect to the network, or set GRAFT_MIRROR (or the source\'s `mirror` option) to a directory holding a copy of the model, or give the model directory with `path`',
      cause,
    });
  }
  if (!response.ok) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `The server answered ${response.status} ${response.statusText} for ${url.href}`,
      why: describeAlternatives(),
      fix: 'Check the URL, or use a mirror directory (GRAFT_MIRROR) or a local `path`',
    });
  }
  return new Uint8Array(await response.arrayBuffer());
}

function reason(cause: unknown): string {
  const inner = (cause as { cause?: { code?: string; message?: string } })?.cause;
  if (inner?.code) return `The request failed with ${inner.code}`;
  if ((cause as Error)?.name === 'TimeoutError') return 'The request timed out';
  return `The request failed (${(cause as Error)?.message ?? String(cause)})`;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
