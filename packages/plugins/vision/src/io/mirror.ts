import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The directory in `mirrorRoot` (a folder) that stands in for the model at `url`, if there is one. A mirror holds
 * either the URL's full layout (`<mirror>/storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/`)
 * or just the model's own directory name (`<mirror>/mobilenet_v1_0.25_224/`).
 */
export function mirrorDirFor(url: URL, mirrorRoot: string): string | undefined {
  return mirrorLayouts(url)
    .map((segments) => join(mirrorRoot, ...segments))
    .find((dir) => existsSync(join(dir, 'model.json')));
}

/**
 * The model.json URLs on a mirror server (`base`, an http(s) URL) that may stand in for the model at
 * `url`, in the same two layouts as a mirror folder: the URL's full layout, then the model's folder name.
 */
export function mirrorUrlsFor(url: URL, base: string): URL[] {
  const root = base.endsWith('/') ? base : `${base}/`;
  return mirrorLayouts(url).map((segments) => new URL(`./${[...segments, 'model.json'].join('/')}`, root));
}

/** `<host>/<folders>` and `<last folder>` of the model's URL, as safe path segments. */
function mirrorLayouts(url: URL): string[][] {
  const dirs = url.pathname
    .split('/')
    .slice(0, -1)
    .filter((s) => s !== '' && s !== '.' && s !== '..')
    .map((s) => s.replace(/[\\/]/g, '_'));
  const last = dirs[dirs.length - 1];
  return last ? [[url.host, ...dirs], [last]] : [[url.host, ...dirs]];
}

/** Whether a mirror setting is a server rather than a folder. */
export function isMirrorUrl(mirror: string): boolean {
  return /^https?:\/\//i.test(mirror);
}
