import { GraftError } from '../errors.js';
import { sha256Hex } from '../sha256.js';
import type { Resource } from './environment.js';

export function parseUrl(resource: Resource): URL {
  try {
    return new URL(resource.url);
  } catch (cause) {
    throw new GraftError('GRAFT_CONFIG_INVALID', { what: `"${resource.url}" is not a URL`, fix: 'Give an absolute http(s) URL', cause });
  }
}

export function matches(bytes: Uint8Array, resource: Resource): boolean {
  if (resource.sha256 === undefined) return true;
  const accepted = (typeof resource.sha256 === 'string' ? [resource.sha256] : [...resource.sha256]).map((h) => h.toLowerCase());
  return accepted.length === 0 || accepted.includes(sha256Hex(bytes));
}

/** Fetch a resource whole (a browser: no streaming to disk), checking its size cap and pinned sha256; `mirrorHint` says how to point at a mirror. */
export async function download(url: URL, resource: Resource, mirrorHint: string): Promise<Uint8Array> {
  const label = resource.label ?? url.href;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  } catch (cause) {
    throw new GraftError('GRAFT_DOWNLOAD', {
      what: `Could not download ${label} from ${url.href}`,
      why: `The request failed (${(cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).message}).`,
      fix: `Connect to the network, or ${mirrorHint}`,
      cause,
    });
  }
  if (!response.ok) {
    throw new GraftError('GRAFT_DOWNLOAD', { what: `The server answered ${response.status} for ${url.href}`, fix: `Check the URL, or ${mirrorHint}` });
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
      why: `Expected sha256 ${resource.sha256}, got ${sha256Hex(bytes)}; it was not cached.`,
      fix: 'Try again (a broken transfer), or check the mirror’s copy',
    });
  }
  return bytes;
}

