import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's r-cran-palmerpenguins installs the Palmer penguins CSV files. */
export const PENGUINS_DIR = '/usr/lib/R/site-library/palmerpenguins/extdata';

/**
 * The Palmer penguins CSV (`penguins.csv` or `penguins_raw.csv`) on this machine: `$GRAFT_PENGUINS_CSV`,
 * the system package's copy, or the one `scripts/fetch-test-assets.sh` unpacks into the Graft cache
 * (`$GRAFT_CACHE`, else `$XDG_CACHE_HOME/graft`, else `~/.cache/graft`). Undefined when none exists.
 */
export function findPenguinsCsv(file: 'penguins.csv' | 'penguins_raw.csv' = 'penguins.csv'): string | undefined {
  const cache = process.env.GRAFT_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'graft');
  const candidates = [
    process.env.GRAFT_PENGUINS_CSV,
    join(PENGUINS_DIR, file),
    join(cache, 'debian', 'r-cran-palmerpenguins', PENGUINS_DIR, file),
  ];
  return candidates.find((p): p is string => p !== undefined && existsSync(p));
}
