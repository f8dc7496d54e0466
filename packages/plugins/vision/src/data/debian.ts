import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCacheDir } from '../io/cache-dir.js';

/**
 * Where a file of a Debian package may be: installed (`/<path>`, or under `GRAFT_DEBIAN_ROOT` when set,
 * so a test can make the system's copies invisible), or unpacked without installing by
 * `scripts/test-assets.sh` (`apt-get download` + `dpkg-deb -x`) into `$GRAFT_CACHE/debian/<package>/`.
 */
export function debianCandidates(pkg: string, path: string): string[] {
  return [join(process.env.GRAFT_DEBIAN_ROOT || '/', path), join(defaultCacheDir(), 'debian', pkg, path)];
}

/** The first existing location of a Debian package's file, if any. */
export function findDebianFile(pkg: string, path: string): string | undefined {
  return debianCandidates(pkg, path).find((p) => existsSync(p));
}

/** How to get a Debian package's file, for "not found" messages. */
export function debianHowTo(pkg: string, install: boolean): string {
  const unpack = `apt-get download ${pkg} && dpkg-deb -x ${pkg}_*.deb "${join(defaultCacheDir(), 'debian', pkg)}"`;
  return install
    ? `On Debian or Ubuntu: \`sudo apt-get install ${pkg}\` (or, without root: \`${unpack}\`)`
    : `On Debian or Ubuntu, unpack the package without installing it: \`${unpack}\``;
}
