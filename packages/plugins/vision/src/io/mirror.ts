import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The directory in `mirrorRoot` that stands in for the model at `url`, if there is one. A mirror holds
 * either the URL's full layout (`<mirror>/storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/`)
 * or just the model's own directory name (`<mirror>/mobilenet_v1_0.25_224/`).
 */
export function mirrorDirFor(url: URL, mirrorRoot: string): string | undefined {
  const dirs = url.pathname
    .split('/')
    .slice(0, -1)
    .filter((s) => s !== '' && s !== '.' && s !== '..')
    .map((s) => s.replace(/[\\/]/g, '_'));
  const candidates = [join(mirrorRoot, url.host, ...dirs)];
  const last = dirs[dirs.length - 1];
  if (last) candidates.push(join(mirrorRoot, last));
  return candidates.find((dir) => existsSync(join(dir, 'model.json')));
}
