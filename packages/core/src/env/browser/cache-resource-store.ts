import { download, matches, parseUrl } from '../download.js';
import type { Resource, ResourceStore } from '../environment.js';

export interface CacheResourceStoreOptions {
  /** Name of the Cache API cache that keeps downloads across visits. @default 'graft-resources' */
  cacheName?: string;
  /**
   * A base URL standing in for the public hosts: `https://host/a/b/model.json` is fetched from
   * `<mirror>/b/model.json` (the folder holding the file, by its last name, as Node's model mirror
   * folders are laid out). @default none: the public URL
   */
  mirror?: string;
}

const BROWSER_MIRROR_HINT = 'give a mirror URL that serves a copy';

/** Where a resource is fetched from: its mirror copy when a mirror is set, else its public URL. */
export function mirroredUrl(url: URL, mirror: string | undefined): URL {
  if (!mirror) return url;
  const parts = url.pathname.split('/').filter((s) => s !== '');
  const tail = parts.slice(-2).join('/');
  return new URL(tail, mirror.endsWith('/') ? mirror : `${mirror}/`);
}

/**
 * A browser's {@link ResourceStore}: downloads kept in the Cache API (by public URL, so a mirror and the
 * public host share one cached copy), checked against their size cap and pinned sha256 before they are
 * cached. Without the Cache API (an insecure origin) every request goes to the network.
 */
export function cacheResourceStore(options: CacheResourceStoreOptions = {}): ResourceStore {
  const cacheName = options.cacheName ?? 'graft-resources';
  const open = async (): Promise<Cache | undefined> => (typeof caches === 'undefined' ? undefined : caches.open(cacheName));
  return {
    async get(resource: Resource) {
      const url = parseUrl(resource);
      const cache = await open();
      const hit = await cache?.match(url.href);
      if (hit) {
        const bytes = new Uint8Array(await hit.arrayBuffer());
        if (matches(bytes, resource)) return bytes;
      }
      const bytes = await download(mirroredUrl(url, options.mirror), resource, BROWSER_MIRROR_HINT);
      await cache?.put(url.href, new Response(new Blob([bytes as Uint8Array<ArrayBuffer>]), { headers: { 'content-length': String(bytes.length) } }));
      return bytes;
    },
    async cached(resource: Resource) {
      const url = parseUrl(resource);
      const hit = await (await open())?.match(url.href);
      if (!hit) return undefined;
      return { location: `cache:${cacheName}/${url.href}`, bytes: (await hit.arrayBuffer()).byteLength };
    },
  };
}
