import { join } from 'node:path';
import { GraftError } from '@graft/core';
import { writeFileAtomic } from './atomic.js';
import { readModelDirectory } from './directory-handler.js';
import { groupBytes, MAX_MODEL_JSON_BYTES, parseModelJson, safeRelativePath } from './manifest.js';

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
 *
 * `mirrorUrls` are model.json URLs on a mirror server standing in for `url`, tried first in order: one
 * that answers 404 passes to the next, then to `url` itself. The cache keeps the copy under `url`.
 */
export async function cacheModel(url: URL, cacheRoot: string, describeAlternatives: () => string, mirrorUrls: readonly URL[] = []): Promise<string> {
  const dir = cacheDirFor(url, cacheRoot);
  try {
    await readModelDirectory(dir);
    return dir;
  } catch {
    // Not cached yet, or incomplete: download it.
  }
  let from = url;
  let body: Uint8Array | undefined;
  for (const candidate of mirrorUrls) {
    body = await download(candidate, describeAlternatives, MAX_MODEL_JSON_BYTES, true);
    if (body) {
      from = candidate;
      break;
    }
  }
  body ??= (await download(url, describeAlternatives, MAX_MODEL_JSON_BYTES))!;
  const text = new TextDecoder().decode(body);
  const json = parseModelJson(text, from.href);
  for (const group of json.weightsManifest) {
    // No shard can be larger than the bytes its whole group needs: a server sending more is cut off.
    const cap = groupBytes(group, from.href);
    for (const p of group.paths) {
      const segments = safeRelativePath(p, from.href);
      const shardUrl = new URL(segments.join('/'), from);
      await writeCached(join(dir, ...segments), (await download(shardUrl, describeAlternatives, cap))!);
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

/**
 * The body at `url`, refused as soon as it passes `maxBytes` (from Content-Length, or while streaming);
 * undefined for a 404 when `missingIsUndefined` (a mirror without this model).
 */
async function download(url: URL, describeAlternatives: () => string, maxBytes: number, missingIsUndefined = false): Promise<Uint8Array | undefined> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  } catch (cause) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `Could not reach ${url.href}`,
      why: `${reason(cause)}. ${describeAlternatives()}`,
      fix: 'Connect to the network, or set GRAFT_MIRROR (or the source\'s `mirror` option) to a folder or an http(s) server holding a copy of the model, or give the model directory with `path`',
      cause,
    });
  }
  if (response.status === 404 && missingIsUndefined) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.ok) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `The server answered ${response.status} ${response.statusText} for ${url.href}`,
      why: describeAlternatives(),
      fix: 'Check the URL, or use a mirror (GRAFT_MIRROR: a folder or an http(s) server) or a local `path`',
    });
  }
  const tooLarge = (size: string) =>
    new GraftError('GRAFT_MODEL_LOAD', {
      what: `${url.href} sends ${size} bytes, more than the ${maxBytes} its model.json allows`,
      why: 'A file of a model is never larger than what its manifest describes',
      fix: 'Check the URL; the server may be sending another file. Or use a mirror (GRAFT_MIRROR) or a local `path`',
    });
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(String(declared));
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw tooLarge(`over ${total}`);
      }
      parts.push(value);
    }
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
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
