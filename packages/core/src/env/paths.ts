/**
 * `/`-separated path arithmetic without `node:path`, for code that runs in Node and in a browser alike.
 * On POSIX systems it agrees with `path.posix` for absolute bases.
 */

/** `paths` resolved against `base`, `.` and `..` folded: `resolvePath('/a/b', '../c')` is `/a/c`. */
export function resolvePath(base: string, ...paths: string[]): string {
  let joined = base;
  for (const p of paths) joined = p.startsWith('/') ? p : `${joined}/${p}`;
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** The last segment of a path: `basenameOf('/runs/a.yaml')` is `a.yaml`. */
export function basenameOf(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** The working directory where there is one (Node), else the root. */
export function workingDirectory(): string {
  const proc = (globalThis as { process?: { cwd?: () => string } }).process;
  return proc?.cwd?.() ?? '/';
}
