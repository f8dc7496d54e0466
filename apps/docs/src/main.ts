// Writes the generated pages (reference, measured tables, benchmarks) under content/, then exits;
// `npm run docs` runs TypeDoc and VitePress after it.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime } from '@graft/core';
import { buildProgram, firstPartyPlugins } from '@graft/cli';
import type { BenchResults, MeasuredTable } from './benchmarks.js';
import { GENERATED_DIRS, generatePages } from './generate.js';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(app, '..', '..');
const content = join(app, 'content');

/** `bench/<name>/results*.json` files the bench scripts wrote with `--json`. */
function benchResults(): BenchResults[] {
  const bench = join(repo, 'bench');
  return readdirSync(bench, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(bench, d.name)).filter((f) => /^results.*\.json$/.test(f)).map((f) => join(bench, d.name, f)))
    .map((file) => ({ ...(JSON.parse(readFileSync(file, 'utf8')) as Omit<BenchResults, 'file'>), file: relative(repo, file) }));
}

const measured = (JSON.parse(readFileSync(join(app, 'data', 'measured.json'), 'utf8')) as { tables: MeasuredTable[] }).tables;
const pages = generatePages({ registry: createRuntime({ plugins: firstPartyPlugins }).registry, program: buildProgram(), measured, benchResults: benchResults() });

for (const dir of GENERATED_DIRS) rmSync(join(content, dir), { recursive: true, force: true });
for (const [path, text] of pages) {
  const file = join(content, path);
  if (!existsSync(dirname(file))) mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}
process.stdout.write(`Wrote ${pages.size} generated pages under ${relative(process.cwd(), content) || '.'}\n`);
