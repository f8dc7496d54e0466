import type { Command } from 'commander';
import type { Registry } from '@graft/core';
import { benchmarksPage, measuredTable, type BenchResults, type MeasuredTable } from './benchmarks.js';
import { cliPage } from './reference/cli.js';
import { errorsPage } from './reference/errors.js';
import { kindPage, pluginIndexPage, registryKinds, stageOptionsPage } from './reference/plugins.js';
import { schemaPage } from './reference/schema.js';

/** What the generated pages are made from. */
export interface DocsInputs {
  registry: Registry;
  program: Command;
  measured: MeasuredTable[];
  benchResults: BenchResults[];
}

/** Folders under the content root that the generator owns entirely (cleared before each write). */
export const GENERATED_DIRS = ['reference', '_generated'] as const;

/** Every generated page, by its path under the content root. */
export function generatePages(inputs: DocsInputs): Map<string, string> {
  const { registry, program } = inputs;
  const pages = new Map<string, string>([
    ['reference/index.md', pluginIndexPage(registry)],
    ['reference/stage-options.md', stageOptionsPage()],
    ['reference/cli.md', cliPage(program)],
    ['reference/errors.md', errorsPage()],
    ['reference/config-schema.md', schemaPage(registry)],
    ['benchmarks.md', benchmarksPage(inputs.measured, inputs.benchResults)],
  ]);
  for (const kind of registryKinds(registry)) pages.set(`reference/${kind}.md`, kindPage(registry, kind));
  for (const t of inputs.measured) pages.set(`_generated/measured/${t.id}.md`, measuredTable(t));
  return pages;
}
