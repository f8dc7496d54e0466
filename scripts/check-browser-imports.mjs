#!/usr/bin/env node
// Fails when a `node:` module (or a Node built-in by its bare name) is reachable from a browser entry, or when
// a module reachable from one imports a name that a workspace package's browser entry does not export (a
// bundler then fails, though Node, which resolves the package's Node entry, runs fine).
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

/** A TypeScript file's text without comments. */
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

/** The value names of an import or export clause (`{ a, type T, b as c }`, `d`, `d, { e }`); undefined for `* as ns`. */
function clauseNames(clause) {
  const names = [];
  const braces = clause.match(/\{([^}]*)\}/);
  const head = clause.replace(/\{[^}]*\}/, '').replace(/\bfrom\s*$/, '').replace(/,/g, ' ').trim();
  if (/\*/.test(head)) return undefined;
  if (head !== '') names.push('default');
  for (const part of braces ? braces[1].split(',') : []) {
    const p = part.trim();
    if (p === '' || p.startsWith('type ')) continue;
    names.push(p.split(/\s+as\s+/)[0].trim());
  }
  return names;
}

/** Runtime imports of a TypeScript file (not `import type` / `export type`): specifier and imported names. */
function runtimeImports(text) {
  const code = stripComments(text);
  const imports = [];
  const re = /(?:^|[;\n])\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;
  for (const m of code.matchAll(re)) if (!m[2]) imports.push({ spec: m[4], names: m[3] ? clauseNames(m[3]) : [] });
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) imports.push({ spec: m[1], names: undefined });
  return imports;
}

/** Names a module exports (values and types), following `export * from` through relative files. */
function exportedNames(file, seen = new Set()) {
  const names = new Set();
  if (seen.has(file) || !existsSync(file)) return names;
  seen.add(file);
  const code = stripComments(readFileSync(file, 'utf8'));
  for (const m of code.matchAll(/\bexport\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const part of m[1].split(',')) {
      const p = part.trim().replace(/^type\s+/, '');
      if (p !== '') names.add(p.split(/\s+as\s+/).pop().trim());
    }
  }
  for (const m of code.matchAll(/\bexport\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|var|class|interface|type|enum|abstract\s+class)\s+([A-Za-z_$][\w$]*)/g)) names.add(m[1]);
  if (/\bexport\s+default\b/.test(code)) names.add('default');
  for (const m of code.matchAll(/\bexport\s+\*\s+from\s+['"](\.[^'"]+)['"]/g)) {
    for (const n of exportedNames(resolve(dirname(file), m[1].replace(/\.js$/, '.ts')), seen)) if (n !== 'default') names.add(n);
  }
  for (const m of code.matchAll(/\bexport\s+\*\s+as\s+([A-Za-z_$][\w$]*)/g)) names.add(m[1]);
  return names;
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
    const chainTo = (f0) => {
      const chain = [];
      for (let f = f0; f; f = parent.get(f)) chain.unshift(relative(root, f));
      return chain.join(' → ');
    };
    for (const { spec, names } of runtimeImports(readFileSync(file, 'utf8'))) {
      let next;
      if (spec.startsWith('node:') || BUILTINS.has(spec.split('/')[0])) {
        problems.push(`${entry}: "${spec}" is reachable through ${chainTo(file)}`);
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
        if (next && names) {
          const offered = exportedNames(next);
          for (const name of names.filter((n) => !offered.has(n))) {
            problems.push(`${entry}: "${name}" is imported from "${spec}" by ${chainTo(file)}, but that package's browser entry (${relative(root, next)}) does not export it`);
          }
        }
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
  console.error(
    `check-browser-imports: browser entries reach Node-only code:\n  ${problems.join('\n  ')}\n` +
      'Move the code behind the Environment (packages/core/src/env) or into a Node-only module; a browser-safe name a browser entry lacks is exported from it.',
  );
  process.exit(1);
}
