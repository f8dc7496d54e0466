#!/usr/bin/env node
// Import cycles among a folder's TypeScript modules (relative imports; tests skipped). Runtime cycles (value
// imports) fail; cycles that need an `import type` edge are listed but erased at compile time.
// Usage: node scripts/import-cycles.mjs packages/core/src  — exits 1 and prints each runtime cycle.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(process.argv[2] ?? "packages/core/src");
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.ts$/.test(name) && !/\.test(-d)?\.ts$/.test(name))
      files.push(path);
  }
})(root);
function edgesOf(typesToo) {
  return new Map(
    files.map((file) => {
      const text = readFileSync(file, "utf8");
      const found = [
        ...text.matchAll(
          /(import|export)(\s+type)?\s[^'";]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g
        ),
      ];
      const targets = found
        .filter((m) => typesToo || !m[2])
        .map((m) => resolve(dirname(file), m[3].replace(/\.js$/, ".ts")));
      return [file, targets.filter((t) => files.includes(t))];
    })
  );
}
const runtime = cyclesOf(edgesOf(false));
const typed = cyclesOf(edgesOf(true)).filter((c) => !runtime.includes(c));
console.log(
  `${files.length} modules under ${relative(process.cwd(), root) || "."}: ${
    runtime.length
  } runtime import cycle(s), ${typed.length} more through type-only imports`
);
for (const c of runtime) console.log(`  runtime: ${c}`);
for (const c of typed) console.log(`  types:   ${c}`);
process.exit(runtime.length > 0 ? 1 : 0);

function cyclesOf(edges) {
  const cycles = [];
  const state = new Map();
  const stack = [];
  function visit(file) {
    state.set(file, "open");
    stack.push(file);
    for (const next of edges.get(file)) {
      if (state.get(next) === "open")
        cycles.push(
          [...stack.slice(stack.indexOf(next)), next]
            .map((f) => relative(root, f))
            .join(" → ")
        );
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  }
  for (const file of files) if (!state.has(file)) visit(file);
  return [...new Set(cycles)];
}
