#!/usr/bin/env node
// `npm create graft-plugin my-plugin`: scaffold a Graft plugin package (a strategy, a dataset and a source)
// whose contract tests pass as generated. Plain Node, no dependencies.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { files } from '../template/files.mjs';

const USAGE = 'Usage: npm create graft-plugin <folder> [-- --name <@scope/package>]';

/** Stop with a user error: what, why and what to do, exit 2. */
function fail(what, fix) {
  process.stderr.write(`GRAFT_USAGE: ${what}. ${fix}.\n${USAGE}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const nameAt = args.indexOf('--name');
const packageName = nameAt >= 0 ? args[nameAt + 1] : undefined;
const positional = args.filter((a, i) => !a.startsWith('--') && (nameAt < 0 || i !== nameAt + 1));
if (positional.length !== 1) fail('Give exactly one folder to create the plugin in', 'For example: npm create graft-plugin graft-plugin-audio');
const dir = resolve(positional[0]);
const name = packageName ?? basename(dir);
if (!/^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/.test(name)) {
  fail(`"${name}" is not a valid npm package name`, 'Use lower case letters, digits, "-", "." or "_", optionally with an @scope/ prefix (--name @acme/graft-audio)');
}
if (existsSync(dir) && readdirSync(dir).length > 0) fail(`${dir} exists and is not empty`, 'Pick a new folder name, or empty this one');

/** Third-party contribution names are `scope/name`: the scope is the package scope, or the name without a `graft-plugin-` prefix. */
const scope = (name.startsWith('@') ? name.slice(1).split('/')[0] : name.replace(/^graft-plugin-/, '')).replace(/[^a-z0-9-]/g, '-');
const own = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../package.json'), 'utf8'));
const graftRange = `^${own.version}`;

for (const [path, text] of Object.entries(files({ name, scope, graftRange }))) {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}
process.stdout.write(`Created ${name} in ${dir}: strategy ${scope}/top-half, dataset ${scope}/blobs, source ${scope}/mlp.
Next:
  cd ${positional[0]}
  npm install
  npm test                      # the Graft contract suites for each contribution
  npx graft train -c graft.yaml # a run that uses all three
`);
