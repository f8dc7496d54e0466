#!/usr/bin/env node
// The README's demos end here: `graft compare` on one of the examples.
//   node scripts/demo.mjs [example] [graft compare options]     (example: fashion-mnist-transfer, the default)
// Runs as any user: no root, no apt. Datasets and models come from the cache (GRAFT_CACHE, default
// ~/.cache/graft), else Debian's copies when installed (datasets), else GRAFT_MIRROR (a folder or a server
// standing in for the public hosts), else their public URLs, downloaded once and checked against pinned sha256.
// Where this checkout sits next to ../shared/models (the development environment, which has no internet),
// that folder stands in for the public model URLs (as GRAFT_MODEL_MIRROR) unless one is set.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const mirror = resolve(root, '..', 'shared', 'models');
const env = { ...process.env };
// Looked at after GRAFT_MIRROR (a folder or a server), so a mirror without the model still finds it there.
if (!env.GRAFT_MODEL_MIRROR && existsSync(join(mirror, 'mobilenet_v1_0.25_224', 'model.json'))) env.GRAFT_MODEL_MIRROR = mirror;
const args = process.argv.slice(2);
const example = args[0] && !args[0].startsWith('-') ? args.shift() : 'fashion-mnist-transfer';
const config = join(root, 'examples', `${example}.yaml`);
if (!existsSync(config)) {
  console.error(`No example "${example}": expected ${config}`);
  process.exit(2);
}
const result = spawnSync(process.execPath, [join(root, 'apps/cli/dist/bin.js'), 'compare', '-c', config, ...args], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
