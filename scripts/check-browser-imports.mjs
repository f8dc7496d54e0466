#!/usr/bin/env node
// Fails when a `node:` module (or a Node built-in by its bare name) is reachable from a browser entry.
// It follows runtime imports through the TypeScript sources (type-only imports are erased by the compiler,
// so they are skipped) and across workspace packages through their `browser` export condition.
// Usage: node scripts/check-browser-imports.mjs [entry.ts ...]   (default: every package's browser entry)
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));
const DEFAULT_ENTRIES = [
  'packages/core/src/browser.ts',
  'packages/plugins/strategies/src/index.ts',
  'packages/plugins/vision/src/browser.ts',
  'packages/plugins/text/src/browser.ts',
];

/** Directory of each workspace package by name. */
function workspacePackages() {
  const map = new Map();
  for (const group of ['packages', 'packages/plugins', 'packages/backends', 'apps']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirNames(base)) {
      const file = join(base, name, 'package.json');
      if (existsSync(file)) map.set(JSON.parse(readFileSync(file, 'utf8')).name, join(base, name));
    }
  }
  return map;
}
function readdirNames(dir) {
  return existsSync(dir) ? readdir(dir) : [];
}
import { readdirSync as readdir } from 'node:fs';

/** The source file a workspace package offers a browser: its `browser` condition, else its `.` source. */
function browserSource(pkgDir, subpath) {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const entry = pkg.exports?.[subpath];
  const pick = (e) => (typeof e === 'string' ? e : e?.['@graft/source'] ?? e?.default);
  const target = entry?.browser ? pick(entry.browser) : pick(entry);
  return target ? join(pkgDir, target) : undefined;
}

/** Runtime import specifiers of a TypeScript file (not `import type` / `export type`). */
function runtimeImports(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  const specs = [];
  const re = /(?:^|[;\n])\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;
  for (const m of code.matchAll(re)) if (!m[2]) specs.push(m[4]);
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]);
  return specs;
}

const packages = workspacePackages();
const entries = process.argv.slice(2).length > 0 ? process.argv.slice(2) : DEFAULT_ENTRIES;
const problems = [];
for (const entry of entries) {
  const start = resolve(root, entry);
  if (!existsSync(start)) {
    problems.push(`${entry}: the browser entry does not exist`);
    continue;
  }
  const parent = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    for (const spec of runtimeImports(readFileSync(file, 'utf8'))) {
      let next;
      if (spec.startsWith('node:') || BUILTINS.has(spec.split('/')[0])) {
        const chain = [];
        for (let f = file; f; f = parent.get(f)) chain.unshift(relative(root, f));
        problems.push(`${entry}: "${spec}" is reachable through ${chain.join(' → ')}`);
        continue;
      } else if (spec.startsWith('.')) {
        next = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      } else {
        const [scope, name, ...rest] = spec.split('/');
        const pkgName = spec.startsWith('@') ? `${scope}/${name}` : scope;
        const pkgDir = packages.get(pkgName);
        if (!pkgDir) continue; // a third-party package: its own `browser` field is the bundler's business
        const sub = spec.startsWith('@') ? rest : [name, ...rest].filter(Boolean);
        next = browserSource(pkgDir, sub.length > 0 ? `./${sub.join('/')}` : '.');
      }
      if (next && existsSync(next) && !parent.has(next)) {
        parent.set(next, file);
        queue.push(next);
      }
    }
  }
  if (!problems.some((p) => p.startsWith(`${entry}:`))) console.log(`${entry}: ${parent.size} modules, no node: import`);
}
if (problems.length > 0) {
  console.error(`check-browser-imports: Node modules are reachable from browser entries:\n  ${problems.join('\n  ')}\nMove the code behind the Environment (packages/core/src/env) or into a Node-only module.`);
  process.exit(1);
}
