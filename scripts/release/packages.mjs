// The publishable packages of the monorepo and how to pack them: shared by the release command and the
// install test, so what is tested is what is published.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every non-private workspace package: `{ name, version, dir }`, in workspace order. */
export function publishablePackages() {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const dirs = root.workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [join(ROOT, pattern)];
    const parent = join(ROOT, pattern.slice(0, -2));
    return readdirSync(parent).map((d) => join(parent, d));
  });
  return dirs
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, ...JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter((p) => !p.private)
    .map(({ name, version, dir }) => ({ name, version, dir }));
}

/** `npm pack` every package into `dest` (one npm process for all); returns the tarball path of each package name. Build first. */
export function packAll(dest) {
  mkdirSync(dest, { recursive: true });
  const workspaces = publishablePackages().flatMap((pkg) => ['--workspace', pkg.dir]);
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dest, ...workspaces], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const tarballs = new Map();
  for (const info of JSON.parse(out)) {
    if (info.files.some((f) => /tsbuildinfo$|\.test\.[cm]?[jt]s$/.test(f.path))) throw new Error(`${info.name}: the tarball holds build info or tests; fix its "files"`);
    tarballs.set(info.name, join(dest, info.filename));
  }
  if (tarballs.size !== workspaces.length / 2) throw new Error(`npm pack made ${tarballs.size} tarballs for ${workspaces.length / 2} packages:\n${out}`);
  return tarballs;
}
