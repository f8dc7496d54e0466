import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Resource } from '@graft/core';

/** Where Debian's r-cran-palmerpenguins installs the Palmer penguins CSV files. */
export const PENGUINS_DIR = '/usr/lib/R/site-library/palmerpenguins/extdata';

/** The penguins CSV in the palmerpenguins R package's repository (Horst, Hill & Gorman 2020; CC0). */
export const PENGUINS_URL = 'https://raw.githubusercontent.com/allisonhorst/palmerpenguins/main/inst/extdata/penguins.csv';

/**
 * Copies of a penguins CSV on this machine: `$GRAFT_PENGUINS_CSV`, the system package's (under
 * `GRAFT_DEBIAN_ROOT` when set, so a test can hide it), and the one `scripts/test-assets.sh` unpacks into
 * the Graft cache (`$GRAFT_CACHE`, else `$XDG_CACHE_HOME/graft`, else `~/.cache/graft`).
 */
function penguinsCandidates(file: 'penguins.csv' | 'penguins_raw.csv'): string[] {
  const cache = process.env.GRAFT_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'graft');
  const root = process.env.GRAFT_DEBIAN_ROOT || '/';
  return [
    ...(process.env.GRAFT_PENGUINS_CSV ? [process.env.GRAFT_PENGUINS_CSV] : []),
    join(root, PENGUINS_DIR, file),
    join(cache, 'debian', 'r-cran-palmerpenguins', PENGUINS_DIR, file),
  ];
}

/** The Palmer penguins CSV (`penguins.csv` or `penguins_raw.csv`) on this machine, if any (see {@link penguinsCandidates}). */
export function findPenguinsCsv(file: 'penguins.csv' | 'penguins_raw.csv' = 'penguins.csv'): string | undefined {
  return penguinsCandidates(file).find((p) => existsSync(p));
}

/**
 * `penguins.csv` as a pinned public file. The digest is of the file at the repository's `main` and of
 * Debian's r-cran-palmerpenguins copy alike (the same Git blob, checked here).
 */
export function penguinsFile(): Resource {
  return {
    url: PENGUINS_URL,
    sha256: 'f204db2c753b0937caac3cb35258562c14f073e4bbc76be24b4c51ce22767a93',
    maxBytes: 1_000_000,
    label: 'Palmer penguins penguins.csv',
    localCopies: penguinsCandidates('penguins.csv'),
  };
}
