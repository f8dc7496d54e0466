import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/**
 * Copies what `node` needs to import `packages` and everything they depend on at run time from the checkout at
 * `root` into `target`, in the same layout (workspace links included) and open to every user: folders 0755, files
 * 0644 (0755 if executable). Another user can then run code that imports them even when the checkout lives under a folder only its
 * owner may enter (a clone in `mktemp -d`). Workspace packages bring `package.json` and their built `dist/`, as
 * `npm pack` ships them; third-party packages come whole, less source maps and type declarations.
 */
export function copyRuntimePackages(packages: readonly string[], checkout: string, target: string): void {
  const root = realpathSync(checkout);
  const copied = new Set<string>();
  const place = (path: string) => {
    const rel = relative(root, path);
    if (rel.startsWith('..')) throw new Error(`${path} is outside the checkout ${root}`);
    return join(target, rel);
  };
  const copy = (name: string, requiredFrom: string) => {
    const found = locate(name, requiredFrom);
    if (!found) return; // an optional dependency for another platform
    const { path, real } = found;
    if (path !== real && !existsSync(place(path))) {
      mkdirSync(dirname(place(path)), { recursive: true });
      symlinkSync(relative(dirname(place(path)), place(real)), place(path));
    }
    if (copied.has(real)) return;
    copied.add(real);
    if (!real.split(sep).includes('node_modules')) {
      mkdirSync(place(real), { recursive: true });
      cpSync(join(real, 'package.json'), join(place(real), 'package.json'));
      cpSync(join(real, 'dist'), join(place(real), 'dist'), { recursive: true, filter: (p) => !/(\.map|\.d\.ts|\.tsbuildinfo|\.test\.js)$/.test(p) });
    } else {
      // Its own nested node_modules come as dependencies, those it needs.
      cpSync(real, place(real), { recursive: true, filter: (p) => !/\.(map|d\.ts)$/.test(p) && !relative(real, p).split(sep).includes('node_modules') });
    }
    const manifest = JSON.parse(readFileSync(join(real, 'package.json'), 'utf8')) as { dependencies?: object; optionalDependencies?: object };
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) copy(dep, real);
  };
  for (const name of packages) copy(name, root);
  openToAll(target);
}

/** Where node finds package `name` from folder `dir`, and that folder with its links followed. */
function locate(name: string, dir: string): { path: string; real: string } | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const path = join(d, 'node_modules', name);
    if (existsSync(join(path, 'package.json'))) return { path, real: realpathSync(path) };
    if (dirname(d) === d) return undefined;
  }
}

function openToAll(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) openToAll(path);
    else if (entry.isFile()) chmodSync(path, statSync(path).mode & 0o100 ? 0o755 : 0o644);
  }
}
