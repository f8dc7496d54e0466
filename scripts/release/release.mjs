#!/usr/bin/env node
// `npm run release [-- --dry-run]`: version the packages from the pending changesets, build, pack every
// package, and publish the tarballs (what was packed is what is published). With --dry-run nothing is
// versioned or published: the changesets are listed, and `npm publish --dry-run` checks each tarball.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packAll, ROOT } from './packages.mjs';

const dryRun = process.argv.includes('--dry-run');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });

if (dryRun) {
  run('npx', ['changeset', 'status', '--verbose']);
} else {
  run('npx', ['changeset', 'version']);
  // The browser entry cannot read package.json: core's version is a literal, kept equal to it here.
  const { version } = JSON.parse(readFileSync('packages/core/package.json', 'utf8'));
  const versionFile = 'packages/core/src/version.ts';
  writeFileSync(versionFile, readFileSync(versionFile, 'utf8').replace(/GRAFT_VERSION = '[^']*'/, `GRAFT_VERSION = '${version}'`));
  run('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund']);
}
run('npx', ['tsc', '-b', 'tsconfig.build.json']);
const tarballs = packAll(mkdtempSync(join(tmpdir(), 'graft-release-')));
for (const [name, tarball] of tarballs) {
  process.stdout.write(`${dryRun ? 'would publish' : 'publishing'} ${name}: ${tarball}\n`);
  run('npm', ['publish', tarball, '--access', 'public', ...(dryRun ? ['--dry-run'] : [])]);
}
if (!dryRun) run('npx', ['changeset', 'tag']);
